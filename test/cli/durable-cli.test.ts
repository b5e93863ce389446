import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { BIN, runCli, scratchDir } from "./spawn-cli.js";

const CRASH_PLUGIN = fileURLToPath(new URL("../crash/crash-plugin.mjs", import.meta.url));
let dir: string;
beforeEach(() => {
  dir = scratchDir();
});

describe("durable runs from the command line (SQLite in ./data by default)", () => {
  it("resumes a run killed with kill -9, and `run` offers to resume it", async () => {
    const killed = await runCli(["--plugin", CRASH_PLUGIN, "run", "crash test"], { cwd: dir, env: { CRASH_AT: "effect-after:subtask/b/call/0" } });
    expect(killed.code).toBeNull();
    const runId = /^run (\S+)$/m.exec(killed.stdout)?.[1] ?? "";
    expect(runId).not.toBe("");

    const another = await runCli(["--plugin", CRASH_PLUGIN, "run", "crash test"], { cwd: dir });
    expect(another.code).toBe(0);
    expect(another.stderr).toContain(`cs-agents resume ${runId}`);

    const resumed = await runCli(["--plugin", CRASH_PLUGIN, "resume", runId], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/finished\s+a in .*\(replayed\)/);
    expect(resumed.stdout).toMatch(/run succeeded/);

    const status = await runCli(["status", runId, "--json"], { cwd: dir });
    const json = JSON.parse(status.stdout) as { status: string; subtasks: { status: string }[]; storageBytes: number };
    expect(json.status).toBe("succeeded");
    expect(json.subtasks.map((s) => s.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(json.storageBytes).toBeGreaterThan(0);
  });

  it("queues with submit (idempotently), lists with runs, and a worker finishes the queue", async () => {
    const first = await runCli(["submit", "生成2024年第三季度财务报告", "--idempotency-key", "q3", "--json"], { cwd: dir });
    const again = await runCli(["submit", "生成2024年第三季度财务报告", "--idempotency-key", "q3", "--json"], { cwd: dir });
    const a = JSON.parse(first.stdout) as { runId: string; created: boolean };
    const b = JSON.parse(again.stdout) as { runId: string; created: boolean };
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ runId: a.runId, created: false });
    const other = await runCli(["submit", "Generate the Q1 2025 quarterly financial report"], { cwd: dir });
    expect(other.stdout.trim()).toMatch(/^[0-9a-z]{9}-[0-9a-z]{8}$/);

    const queued = await runCli(["runs", "--status", "queued", "--json"], { cwd: dir });
    expect((JSON.parse(queued.stdout) as unknown[]).length).toBe(2);

    const worker = spawn(process.execPath, [BIN, "worker", "--concurrency", "2"], { cwd: dir, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    worker.stdout.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => worker.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 200; i++) {
      const listed = await runCli(["runs", "--status", "succeeded", "--json"], { cwd: dir });
      if ((JSON.parse(listed.stdout) as unknown[]).length === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    worker.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGTERM: draining/);
    const status = await runCli(["status", a.runId], { cwd: dir });
    expect(status.stdout).toMatch(/status\s+succeeded/);
    expect(status.stdout).toMatch(/artifact report\.html/);
    // Eight CLI processes and a worker finishing two report runs: near 30 s on a loaded machine.
  }, 90_000);

  it.each([
    [["status", "not-an-id"], /not a run id/],
    [["status", "0mwtsupi6-aaaaaaaa"], /no run with id/],
    [["runs", "--status", "dozing"], /unknown status dozing/],
    [["runs", "--limit", "0"], /--limit must be a whole number/],
    [["worker", "--concurrency", "0"], /--concurrency must be a whole number/],
    [["submit", "x", "--priority", "10"], /--priority must be a whole number from 0 to 9/],
    [["decide", "0mwtsupi6-aaaaaaaa", "subtask/a/call/0"], /exactly one of --retry/],
  ])("exits 2 for bad input: %j", async (args, message) => {
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("names DATABASE_URL and hides the password when the database URL is unusable", async () => {
    const result = await runCli(["runs"], { cwd: dir, env: { DATABASE_URL: "postgres://admin:s3cret@127.0.0.1:1/nope" } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/127\.0\.0\.1:1/);
    expect(result.stderr).not.toContain("s3cret");
    const malformed = await runCli(["runs"], { cwd: dir, env: { DATABASE_URL: "mysql://x@y/z" } });
    expect(malformed.stderr).toMatch(/DATABASE_URL/);
  });

  it("migrates on demand and reports an up-to-date schema", async () => {
    const result = await runCli(["migrate"], { cwd: dir, env: { DATABASE_URL: join(dir, "fresh.db") } });
    expect(result.stdout).toMatch(/applied migrations: 1/);
    const again = await runCli(["migrate"], { cwd: dir, env: { DATABASE_URL: join(dir, "fresh.db") } });
    expect(again.stdout).toMatch(/schema up to date/);
  });
});
