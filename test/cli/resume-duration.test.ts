import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, scratchDir } from "./spawn-cli.js";

const CRASH_PLUGIN = fileURLToPath(new URL("../crash/crash-plugin.mjs", import.meta.url));

interface SubtaskJson {
  id: string;
  status: string;
  durationMs?: number;
  wallMs?: number;
  resumed?: boolean;
}

describe("a subtask's duration after a resume", () => {
  it("status shows the time spent executing, without the downtime, and the wall time separately", async () => {
    const dir = scratchDir();
    // Killed in subtask a's second call, after its first call was recorded.
    const killed = await runCli(["--plugin", CRASH_PLUGIN, "run", "crash test"], { cwd: dir, env: { CRASH_AT: "effect-before:subtask/a/call/1" } });
    expect(killed.code, killed.stderr).toBeNull();
    const downSince = Date.now();
    const runId = /^run (\S+)$/m.exec(killed.stdout)?.[1] ?? "";
    expect(runId).not.toBe("");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const downUntil = Date.now();
    const resumed = await runCli(["--plugin", CRASH_PLUGIN, "resume", runId], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);

    const json = JSON.parse((await runCli(["status", runId, "--json"], { cwd: dir })).stdout) as { subtasks: SubtaskJson[] };
    const [a, b] = json.subtasks;
    expect(a).toMatchObject({ id: "a", status: "succeeded", resumed: true });
    // The run was stopped for at least downUntil - downSince: wall time holds it, executing time does not.
    expect(a?.wallMs ?? 0).toBeGreaterThanOrEqual(downUntil - downSince);
    expect((a?.wallMs ?? 0) - (a?.durationMs ?? Infinity)).toBeGreaterThanOrEqual(downUntil - downSince);
    expect(b).toMatchObject({ id: "b", status: "succeeded", resumed: false });
    expect(b?.durationMs).toBe(b?.wallMs);

    const text = await runCli(["status", runId], { cwd: dir });
    expect(text.stdout).toMatch(/succeeded a \[stepper\] a \d+\.\d\ds executing, \d+\.\d\ds wall \(resumed\)\n/);
    expect(text.stdout).toMatch(/succeeded b \[stepper\] b \d+\.\d\ds\n/);
  });
});
