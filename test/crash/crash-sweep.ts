import { scratchDir } from "../support/scratch.js";
import { join } from "node:path";
import { expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { countBy, endOf, logLines, runWorker } from "./harness.js";

/** Every step boundary of the crash-test plan: a(2 calls) → b(1 call) → c(1 call). */
export const CRASH_POINTS = [
  "recorded:plan",
  ...["a/call/0", "a/call/1", "b/call/0", "c/call/0"].flatMap((call) => [
    `effect-before:subtask/${call}`,
    `effect-after:subtask/${call}`,
    `recorded:subtask/${call}`,
  ]),
  "recorded:subtask/a/done",
  "recorded:subtask/b/done",
  "recorded:subtask/c/done",
] as const;

const ALL_CALLS = ["a/call/0", "a/call/1", "b/call/0", "c/call/0"];

/**
 * The crash-point sweep, for any store: for every step boundary, kill the worker there with
 * SIGKILL, resume in a new process, and compare with an uninterrupted reference run.
 */
export function describeCrashSweep(databaseUrl: () => Promise<string>): void {
  const scratch = () => {
    const dir = scratchDir("cs-agents-crash-");
    return { calls: join(dir, "calls.log"), effects: join(dir, "effects.log") };
  };

  let referenceOutput: string | undefined;

  it("an uninterrupted reference run succeeds with one effect per call", async () => {
    const files = scratch();
    const runId = newRunId();
    const env = { DATABASE_URL: await databaseUrl(), CALLS_FILE: files.calls, EFFECTS_FILE: files.effects };
    const result = await runWorker(runId, "crash test", env);
    expect(endOf(result)?.outcome?.status, result.stderr).toBe("succeeded");
    expect(logLines(files.effects)).toEqual(ALL_CALLS.map((c) => `crash.append ${runId}/subtask/${c}`));
    referenceOutput = JSON.stringify(endOf(result)?.outcome?.result?.output);
  });

  it.each(CRASH_POINTS)("killed at %s, resumes to the same result without repeating recorded calls", async (point) => {
    const url = await databaseUrl();
    expect(referenceOutput, "the reference run must succeed first").toBeDefined();
    const files = scratch();
    const runId = newRunId();
    const env = { DATABASE_URL: url, CALLS_FILE: files.calls, EFFECTS_FILE: files.effects };

    const crashed = await runWorker(runId, "crash test", { ...env, CRASH_AT: point });
    expect(crashed.signal, crashed.stderr).toBe("SIGKILL");
    const callsBefore = logLines(files.calls);

    const resumed = await runWorker(runId, "crash test", env);
    const end = endOf(resumed);
    expect(end?.outcome?.status, resumed.stderr).toBe("succeeded");
    expect(JSON.stringify(end?.outcome?.result?.output)).toBe(referenceOutput);

    // Every idempotent side effect happened exactly once per key.
    const effects = countBy(logLines(files.effects));
    expect([...effects.keys()].sort()).toEqual(ALL_CALLS.map((c) => `crash.append ${runId}/subtask/${c}`).sort());
    expect([...effects.values()].every((n) => n === 1)).toBe(true);

    // A call whose result was recorded before the kill was not made again.
    const recordedCall = /^recorded:subtask\/(.+\/call\/\d)$/.exec(point)?.[1];
    const recordedBefore = recordedCall ? ALL_CALLS.slice(0, ALL_CALLS.indexOf(recordedCall) + 1) : [];
    const calls = countBy(logLines(files.calls));
    for (const call of recordedBefore) expect(calls.get(`crash.append ${runId}/subtask/${call}`), call).toBe(1);
    expect(callsBefore.length).toBeGreaterThanOrEqual(recordedBefore.length);
  });

  it.each(["effect-before", "effect-after"])(
    "a non-idempotent call killed %s the effect ends ambiguous and is never re-run",
    async (phase) => {
      const files = scratch();
      const runId = newRunId();
      const env = { DATABASE_URL: await databaseUrl(), CALLS_FILE: files.calls, EFFECTS_FILE: files.effects };
      const crashed = await runWorker(runId, "crash test with payment", { ...env, CRASH_AT: `${phase}:subtask/b/call/0` });
      expect(crashed.signal).toBe("SIGKILL");
      const resumed = await runWorker(runId, "crash test with payment", env);
      expect(endOf(resumed)?.outcome).toMatchObject({ status: "waiting_approval", stepKey: "subtask/b/call/0" });
      const again = await runWorker(runId, "crash test with payment", env);
      expect(endOf(again)).toBeUndefined();
      const sends = logLines(files.calls).filter((l) => l.startsWith("crash.send"));
      expect(sends).toEqual([`crash.send ${runId}/subtask/b/call/0`]);
      expect(logLines(files.effects).filter((l) => l.startsWith("crash.send"))).toHaveLength(phase === "effect-after" ? 1 : 0);
    },
  );
}
