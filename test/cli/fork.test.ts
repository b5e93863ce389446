import { describe, expect, it } from "vitest";
import { runCli, scratchDir } from "./spawn-cli.js";

describe("cs-agents fork (a local SQLite store)", () => {
  it("forks a finished run from a subtask's end; resume finishes the fork; an unknown step, bad JSON and a bad plan are refused", async () => {
    const dir = scratchDir();
    const ran = await runCli(["run", "生成季度财务报告"], { cwd: dir });
    expect(ran.code, ran.stderr).toBe(0);
    const runId = /^run (\S+)$/m.exec(ran.stdout)?.[1] ?? "";
    const parent = JSON.parse((await runCli(["status", runId, "--json"], { cwd: dir })).stdout) as { plan: { subtasks: { id: string }[] } };
    const first = parent.plan.subtasks[0]?.id ?? "";

    const unknown = await runCli(["fork", runId, "subtask/nope/done"], { cwd: dir });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain(`subtask/${first}/done`);
    const notJson = await runCli(["fork", runId, `subtask/${first}/done`, "--output", "{oops"], { cwd: dir });
    expect(notJson.code).toBe(2);
    const badPlan = await runCli(["fork", runId, "plan", "--output", '{"subtasks":[]}'], { cwd: dir });
    expect(badPlan.code).not.toBe(0);
    expect(badPlan.stderr).toContain("--output: not a valid plan");

    const forked = await runCli(["fork", runId, `subtask/${first}/done`], { cwd: dir });
    expect(forked.code, forked.stderr).toBe(0);
    const forkId = forked.stdout.split("\n")[0] ?? "";
    expect(forked.stdout).toContain(`forked ${runId} at subtask/${first}/done: run ${forkId} is queued`);
    expect(forked.stdout).toContain(`cs-agents resume ${forkId}`);
    const resumed = await runCli(["resume", forkId, "--json"], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: "succeeded" });
  }, 120_000);
});
