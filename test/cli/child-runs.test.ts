import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, scratchDir } from "./spawn-cli.js";

// "crash child" is a → kid (a child run of "crash kid": k sends, then appends) → c.
const PLUGIN = fileURLToPath(new URL("../crash/crash-plugin.mjs", import.meta.url));
const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);

describe("child runs from the CLI (a local SQLite store)", () => {
  it("run leaves the parent waiting for its child; status shows both ends; resuming the child, then the parent, finishes it", async () => {
    const dir = scratchDir();
    const env = { EFFECTS_FILE: join(dir, "effects") };
    const started = await runCli(["--plugin", PLUGIN, "run", "crash child"], { cwd: dir, env });
    expect(started.code, started.stderr).toBe(0);
    const runId = /^run (\S+)$/m.exec(started.stdout)?.[1] ?? "";
    const childId = /waits for its child runs \((\S+)\)/.exec(started.stderr)?.[1] ?? "";
    expect(childId).not.toBe("");

    const parentStatus = await runCli(["status", runId], { cwd: dir });
    expect(parentStatus.stdout).toMatch(/status\s+waiting_children/);
    expect(parentStatus.stdout).toContain(`child    queued           ${childId} (subtask kid)`);
    const childStatus = await runCli(["status", childId, "--json"], { cwd: dir });
    expect(JSON.parse(childStatus.stdout)).toMatchObject({ status: "queued", parent: { runId, subtask: "kid" }, children: [] });

    expect((await runCli(["--plugin", PLUGIN, "resume", childId], { cwd: dir, env })).code).toBe(0);
    const finished = await runCli(["--plugin", PLUGIN, "resume", runId, "--json"], { cwd: dir, env });
    expect(finished.code, finished.stderr).toBe(0);
    expect(JSON.parse(finished.stdout)).toMatchObject({ status: "succeeded" });
    expect(lines(env.EFFECTS_FILE).sort()).toEqual(
      [`crash.append ${runId}/subtask/a/call/0`, `crash.send ${childId}/subtask/k/call/0`, `crash.append ${childId}/subtask/k/call/1`, `crash.append ${runId}/subtask/c/call/0`].sort(),
    );
  }, 60_000);
});
