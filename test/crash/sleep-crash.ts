import { join } from "node:path";
import { expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { openStore } from "../../src/store/index.js";
import { scratchDir } from "../support/scratch.js";
import { countBy, logLines, runWorker, startWorker, untilStatus } from "./harness.js";

/** b's first call sends a reminder and sleeps; the other calls append. */
const CALLS = ["a/call/0", "a/call/1", "b/call/0", "b/call/1", "c/call/0"];
const TIMER = "subtask/b/sleep/0";

/**
 * kill -9 around a durable timer, for any store: at the reminder's effect (its result not yet
 * recorded), right after its result and timer commit (the run not yet asleep), and then the
 * worker that put the run to sleep is killed while it sleeps. A fresh worker finishes the run:
 * every effect happened once, the timer was started once (its due time never moved), and a
 * call recorded before a kill was not made again.
 */
export function describeSleepCrash(databaseUrl: () => Promise<string>): void {
  it.each(["effect-after:subtask/b/call/0", "recorded:subtask/b/call/0"])("killed at %s, then killed again while asleep: wakes once, nothing repeated", async (point) => {
    const dir = scratchDir("cs-agents-sleep-crash-");
    const url = await databaseUrl();
    const files = { calls: join(dir, "calls.log"), effects: join(dir, "effects.log") };
    const env = { DATABASE_URL: url, CALLS_FILE: files.calls, EFFECTS_FILE: files.effects, SLEEP_MS: "3000", LEASE_MS: "1000" };
    const runId = newRunId();

    const crashed = await runWorker(runId, "crash test with sleep", { ...env, CRASH_AT: point });
    expect(crashed.signal, crashed.stderr).toBe("SIGKILL");

    const store = await openStore(url);
    try {
      // A worker of the fleet takes the run once its lease has lapsed, and puts it to sleep.
      const first = startWorker(["worker"], env);
      await untilStatus(store, runId, "sleeping");
      const asleep = (await store.load(runId)).find((s) => s.key === TIMER);
      expect(asleep?.status).toBe("started");
      // kill -9 while the run sleeps: it holds no lease, so nothing waits for one to lapse.
      first.child.kill("SIGKILL");
      await first.done;

      const second = startWorker(["worker"], env);
      await untilStatus(store, runId, "succeeded");
      second.child.kill("SIGTERM");
      await second.done;

      const steps = await store.load(runId);
      const timer = steps.find((s) => s.key === TIMER);
      expect(timer?.status).toBe("succeeded");
      // Started once: the due time recorded with the call never moved.
      expect(timer?.output).toEqual(asleep?.output);
      expect(steps.filter((s) => s.kind === "sleep")).toHaveLength(1);
    } finally {
      await store.close();
    }

    const key = (call: string) => `${runId}/subtask/${call}`;
    const effects = countBy(logLines(files.effects));
    expect([...effects.keys()].sort()).toEqual(CALLS.map((c) => `${c === "b/call/0" ? "crash.remind" : "crash.append"} ${key(c)}`).sort());
    expect([...effects.values()].every((n) => n === 1)).toBe(true);
    const reminders = logLines(files.calls).filter((l) => l.startsWith("crash.remind"));
    // Recorded before the kill: never called again. Killed after the effect but before the
    // record: called again with the same key, and the ledger kept one effect.
    expect(reminders).toHaveLength(point.startsWith("recorded:") ? 1 : 2);
  }, 120_000);
}
