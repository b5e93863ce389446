import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { BackgroundCheckpoint } from "../../src/store/sqlite/background-checkpoint.js";

const root = mkdtempSync(join(tmpdir(), "cs-agents-checkpoint-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("BackgroundCheckpoint", () => {
  it("reports why its thread stopped when it cannot open the database, and stops cleanly", async () => {
    // A directory is not a database file: the thread's connection fails to open.
    const checkpoint = new BackgroundCheckpoint(root, "NORMAL");
    const deadline = Date.now() + 5_000;
    while (checkpoint.stats().failure === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(checkpoint.stats()).toEqual({ checkpoints: 0, failure: expect.any(String) });
    await checkpoint.stop();
  });

  it("lets code after `await store.close()` run in a process with nothing else to do", () => {
    // The thread is unreferenced while it works; the process must still wait for it to end.
    const dist = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
    const script = `
      const { openStore } = await import(${JSON.stringify(dist)});
      const store = await openStore(${JSON.stringify(join(root, "exit.db"))});
      for (let n = 0; n < 1_200; n++) await store.submit({ description: "x" }, { runId: "run-" + n });
      await store.close();
      process.stdout.write("closed with " + JSON.stringify(store.backgroundCheckpointStats()));`;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(output).toMatch(/^closed with \{"checkpoints":\d+\}$/);
  });
});
