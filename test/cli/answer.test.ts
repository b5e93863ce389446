import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, scratchDir } from "./spawn-cli.js";

const ASK_PLUGIN = fileURLToPath(new URL("./ask-plugin.mjs", import.meta.url));
const STEP = "subtask/seat/input/0";
const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);

describe("cs-agents answer (a local SQLite store)", () => {
  it("a run that asks waits; status shows the question; a bad answer is refused; the answer lets resume finish it, booking once", async () => {
    const dir = scratchDir();
    const env = { EFFECTS_FILE: join(dir, "effects"), CALLS_FILE: join(dir, "calls") };
    const asked = await runCli(["--plugin", ASK_PLUGIN, "run", "book a seat"], { cwd: dir, env });
    expect(asked.code, asked.stderr).toBe(0);
    const runId = /^run (\S+)$/m.exec(asked.stdout)?.[1] ?? "";
    expect(asked.stderr).toContain(`waits for an answer to ${STEP}: cs-agents answer ${runId} ${STEP}`);
    expect(lines(env.EFFECTS_FILE)).toEqual([]);

    const status = await runCli(["status", runId], { cwd: dir });
    expect(status.stdout).toMatch(/status\s+waiting_input/);
    expect(status.stdout).toContain("waiting for input: Which seat on CA981?");

    const bad = await runCli(["answer", runId, STEP, "--json", '{"seat":"window"}'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/answer\.seat: .*\[INVALID_INPUT\]/);
    const notJson = await runCli(["answer", runId, STEP, "--json", "{seat"], { cwd: dir });
    expect(notJson.code).toBe(2);
    const wrongStep = await runCli(["answer", runId, "subtask/seat/input/5", "--json", '{"seat":"1A"}'], { cwd: dir });
    expect(wrongStep.code).toBe(1);
    expect(wrongStep.stderr).toContain("[INPUT_NOT_WAITING]");

    const answered = await runCli(["answer", runId, STEP, "--json", '{"seat":"12C"}'], { cwd: dir });
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).toContain(`answered ${STEP}; run ${runId} is queued again`);

    const resumed = await runCli(["--plugin", ASK_PLUGIN, "resume", runId, "--json"], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: "succeeded", output: { flight: "CA981", seat: "12C" } });
    expect(lines(env.EFFECTS_FILE)).toEqual([`12C ${runId}/subtask/seat/call/0`]);
    // Asked once, called again with the answer: the handler ran twice, the booking once.
    expect(lines(env.CALLS_FILE)).toHaveLength(2);

    const again = await runCli(["answer", runId, STEP, "--json", '{"seat":"1A"}'], { cwd: dir });
    expect(again.stderr).toContain("[INPUT_NOT_WAITING]");
  }, 60_000);

  it("killed with kill -9 after the answer, mid-booking: the booking is never made again on resume; the call waits for a person's decision", async () => {
    const dir = scratchDir();
    const env = { EFFECTS_FILE: join(dir, "effects") };
    const asked = await runCli(["--plugin", ASK_PLUGIN, "run", "book a seat"], { cwd: dir, env });
    const runId = /^run (\S+)$/m.exec(asked.stdout)?.[1] ?? "";
    expect((await runCli(["answer", runId, STEP, "--json", '{"seat":"12C"}'], { cwd: dir })).code).toBe(0);
    const killed = await runCli(["--plugin", ASK_PLUGIN, "resume", runId], { cwd: dir, env: { ...env, CRASH_AFTER_BOOKING: "1" } });
    expect(killed.code).toBeNull();
    expect(lines(env.EFFECTS_FILE)).toHaveLength(1);

    const resumed = await runCli(["--plugin", ASK_PLUGIN, "resume", runId, "--json"], { cwd: dir, env });
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: "waiting_approval", error: { code: "STEP_AMBIGUOUS" } });
    expect(lines(env.EFFECTS_FILE)).toHaveLength(1);
  }, 60_000);
});
