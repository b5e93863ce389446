import { join } from "node:path";
import { expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { openStore } from "../../src/store/index.js";
import { scratchDir } from "../support/scratch.js";
import { countBy, logLines, runWorker, startWorker, untilStatus } from "./harness.js";

/** b's first call asks which item to send (crash.ask, not idempotent), then sends it; the other calls append. */
const CALLS = ["a/call/0", "a/call/1", "b/call/0", "b/call/1", "c/call/0"];
const QUESTION = "subtask/b/input/0";
const ASK_CALL = "subtask/b/call/0";
const ANSWER = { choice: "blue-widget" };

/**
 * kill -9 around a question (`ctx.ask`), for any store. First a worker is killed right after the
 * question is committed (the run still leased), or right after the run was put aside as
 * `waiting_input`; a worker of the fleet that holds the waiting run is killed too. Then the answer
 * comes, and the worker that takes the run again is killed mid-call of the asking tool, after its
 * effect and before its result: the call is not idempotent, so the next worker makes it an
 * ambiguous step instead of sending again; a person who sees the ledger says it was done, and a
 * fresh worker finishes the run. Every effect happened once, the question was asked once, and
 * the call used the answer.
 */
export function describeInputCrash(databaseUrl: () => Promise<string>): void {
  it.each([`committed:${QUESTION}`, "asleep:waiting_input"])("killed at %s, then while waiting, then mid-call after the answer: asked once, every effect once", async (point) => {
    const dir = scratchDir("cs-agents-input-crash-");
    const url = await databaseUrl();
    const files = { calls: join(dir, "calls.log"), effects: join(dir, "effects.log") };
    const env = { DATABASE_URL: url, CALLS_FILE: files.calls, EFFECTS_FILE: files.effects, LEASE_MS: "1000" };
    const runId = newRunId();

    const crashed = await runWorker(runId, "crash test with question", { ...env, CRASH_AT: point });
    expect(crashed.signal, crashed.stderr).toBe("SIGKILL");

    const store = await openStore(url);
    try {
      // A worker of the fleet takes the run once its lease has lapsed (or finds it put aside).
      const fleet = startWorker(["worker"], env);
      await untilStatus(store, runId, "waiting_input");
      const asked = (await store.load(runId)).filter((s) => s.kind === "input");
      expect(asked.map((s) => [s.key, s.status])).toEqual([[QUESTION, "started"]]);
      // kill -9 while the run waits: it holds no lease, so nothing waits for one to lapse.
      fleet.child.kill("SIGKILL");
      await fleet.done;

      await store.answerAudited(runId, QUESTION, ANSWER, { action: "input.answered", actor: "carol", tenant: "", details: { stepKey: QUESTION } });
      expect((await store.get(runId))?.status).toBe("queued");
      const midCall = await runWorker(runId, "crash test with question", { ...env, CRASH_AT: `effect-after:${ASK_CALL}` });
      expect(midCall.signal, midCall.stderr).toBe("SIGKILL");
      expect(logLines(files.effects)).toContain(`crash.ask ${runId}/${ASK_CALL}`);

      // The next worker finds the call's intent without a result: not idempotent, so it asks a person.
      const next = startWorker(["worker"], env);
      await untilStatus(store, runId, "waiting_approval");
      expect((await store.load(runId)).find((s) => s.key === ASK_CALL)?.status).toBe("ambiguous");
      // The ledger shows the item was sent: the person says the call was done, with its output.
      await store.decide(runId, ASK_CALL, { action: "done", output: { item: ANSWER.choice, done: true } });
      await untilStatus(store, runId, "succeeded");
      next.child.kill("SIGTERM");
      await next.done;

      const steps = await store.load(runId);
      const inputs = steps.filter((s) => s.kind === "input");
      expect(inputs).toHaveLength(1);
      expect(inputs[0]).toMatchObject({ key: QUESTION, status: "succeeded", output: { answer: ANSWER } });
    } finally {
      await store.close();
    }

    const key = (call: string) => `${runId}/subtask/${call}`;
    const effects = countBy(logLines(files.effects));
    expect([...effects.keys()].sort()).toEqual(CALLS.map((c) => `${c === "b/call/0" ? "crash.ask" : "crash.append"} ${key(c)}`).sort());
    expect([...effects.values()].every((n) => n === 1)).toBe(true);
    // Past the question once, with the answer; never called again after the kill.
    expect(logLines(files.calls).filter((l) => l.startsWith("crash.ask.used"))).toEqual([`crash.ask.used ${key("b/call/0")} ${JSON.stringify(ANSWER)}`]);
  }, 120_000);
}
