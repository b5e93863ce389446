import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { newRunId } from "../../src/core/index.js";

const WRITER = fileURLToPath(new URL("./sqlite-writer.mjs", import.meta.url));
const KILLS = 50;

/** Starts the writer, kills it with SIGKILL after `afterMs` of acks, returns the last ack. */
function writeThenKill(path: string, runId: string, afterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, runId], { stdio: ["ignore", "pipe", "pipe"] });
    let last = -1;
    let buffer = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const acks = [...buffer.matchAll(/ack (\d+)\n/g)];
      if (acks.length > 0) {
        last = Number(acks.at(-1)?.[1]);
        buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let timer: NodeJS.Timeout | undefined;
    child.stdout.once("data", () => (timer = setTimeout(() => child.kill("SIGKILL"), afterMs)));
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") resolve(last);
      else reject(new Error(`writer exited by itself: ${stderr}`));
    });
  });
}

describe("SQLite durability under kill -9", () => {
  it(`keeps the database intact and every acknowledged step, over ${KILLS} kills during writes`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-agents-durability-"));
    const path = join(dir, "journal.db");
    let acknowledged = 0;
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (let i = 0; i < KILLS; i++) {
      const runId = newRunId();
      const last = await writeThenKill(path, runId, 20 + ((i * 37) % 80));
      const db = new Database(path);
      try {
        expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
        if (last >= 0) {
          const row = db.prepare("select count(*) as n from steps where run_id = ? and key = ?").get(runId, `step/${last}`) as { n: number };
          expect(row.n, `run ${runId} step ${last}`).toBe(1);
          acknowledged++;
        }
      } finally {
        db.close();
      }
    }
    expect(acknowledged).toBeGreaterThanOrEqual(KILLS * 0.8);
  }, 180_000);
});
