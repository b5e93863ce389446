import { scratchDir } from "../support/scratch.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { openStore } from "../../src/store/index.js";
import { runCli } from "../cli/spawn-cli.js";
import { endOf, logLines, runWorker } from "./harness.js";

const PLUGIN = fileURLToPath(new URL("./crash-plugin.mjs", import.meta.url));

function scratch() {
  const dir = scratchDir("cs-agents-decide-");
  return { dir, db: join(dir, "runs.db"), calls: join(dir, "calls.log"), effects: join(dir, "effects.log") };
}

describe("poison runs and decisions on ambiguous steps (SQLite, real processes)", () => {
  it("fails a run that killed its worker 3 times with POISON_RUN instead of claiming it again", async () => {
    const s = scratch();
    const runId = newRunId();
    const env = { DATABASE_URL: s.db, CRASH_AT: "effect-before:subtask/a/call/0" };
    for (let i = 0; i < 3; i++) expect((await runWorker(runId, "crash test", env)).signal).toBe("SIGKILL");
    const fourth = await runWorker(runId, "crash test", env);
    expect(fourth.code).toBe(0);
    expect(endOf(fourth)).toBeUndefined();
    const store = await openStore(s.db);
    const run = await store.get(runId);
    await store.close();
    expect(run?.status).toBe("failed");
    expect(run?.error?.code).toBe("POISON_RUN");
  });

  it("lets a person settle an ambiguous payment through the CLI, and the run finishes without paying twice", async () => {
    const s = scratch();
    const runId = newRunId();
    const env = { DATABASE_URL: s.db, CALLS_FILE: s.calls, EFFECTS_FILE: s.effects };
    expect((await runWorker(runId, "crash test with payment", { ...env, CRASH_AT: "effect-after:subtask/b/call/0" })).signal).toBe("SIGKILL");

    const cli = (args: string[]) => runCli(["--plugin", PLUGIN, ...args], { cwd: s.dir, env: { DATABASE_URL: s.db, CALLS_FILE: s.calls, EFFECTS_FILE: s.effects } });
    const resumed = await cli(["resume", runId]);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toMatch(/waits for a decision/);

    const status = await cli(["status", runId]);
    expect(status.stdout).toMatch(/status\s+waiting_approval/);
    expect(status.stdout).toMatch(/waiting\s+subtask\/b\/call\/0 needs a decision/);

    const bad = await cli(["decide", runId, "subtask/b/call/0", "--done", "{not json"]);
    expect(bad.code).toBe(2);
    const decided = await cli(["decide", runId, "subtask/b/call/0", "--done", '{"item":"b-0","done":true}']);
    expect(decided.code, decided.stderr).toBe(0);

    const finished = await cli(["resume", runId, "--json"]);
    expect(finished.code, finished.stderr).toBe(0);
    expect((JSON.parse(finished.stdout) as { status: string }).status).toBe("succeeded");
    expect(logLines(s.calls).filter((l) => l.startsWith("crash.send"))).toHaveLength(1);
    expect(logLines(s.effects).filter((l) => l.startsWith("crash.send"))).toHaveLength(1);
  });

  it.each([
    ["approve", 0, "succeeded", 1],
    ["deny", 1, "failed", 0],
  ] as const)("holds a sensitive call until a person decides: %s", async (verb, exitCode, finalStatus, payments) => {
    const s = scratch();
    const cli = (args: string[]) => runCli(["--plugin", PLUGIN, ...args], { cwd: s.dir, env: { DATABASE_URL: s.db, CALLS_FILE: s.calls, EFFECTS_FILE: s.effects } });
    const first = await cli(["run", "crash test with approval"]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/waits for a decision: the sensitive tool crash\.pay needs a person's approval/);
    const runId = /^run (\S+)$/m.exec(first.stdout)?.[1] ?? "";
    const shown = await cli(["status", runId]);
    expect(shown.stdout).toMatch(/waiting\s+subtask\/b\/approval\/0 needs an approval: crash\.pay \{"item":"b-0"\}/);
    expect(logLines(s.calls).filter((l) => l.startsWith("crash.pay"))).toEqual([]);

    const decided = await cli([verb, runId, "subtask/b/approval/0", ...(verb === "deny" ? ["--reason", "not approved by finance"] : [])]);
    expect(decided.code, decided.stderr).toBe(0);
    const resumed = await cli(["resume", runId, "--json"]);
    expect(resumed.code).toBe(exitCode);
    const json = JSON.parse(resumed.stdout) as { status: string; error?: { code: string; message: string } };
    expect(json.status).toBe(finalStatus);
    if (verb === "deny") expect(json.error).toMatchObject({ code: "APPROVAL_DENIED", message: expect.stringMatching(/not approved by finance/) });
    expect(logLines(s.effects).filter((l) => l.startsWith("crash.pay"))).toHaveLength(payments);
  });
});
