import { join } from "node:path";
import { expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { forkTask, openStore } from "../../src/store/index.js";
import type { ServiceStore, Store } from "../../src/store/index.js";
import { scratchDir } from "../support/scratch.js";
import { countBy, logLines, runWorker, startWorker } from "./harness.js";

/** b's first call sends a payment (not idempotent, no deduplication downstream). */
const SEND = "subtask/b/call/0";

/**
 * kill -9 during a fork, for any store: a parent run pays once and succeeds; two forks from the
 * payment are made at once (plus a third request with the first one's idempotency key: the same
 * fork). A worker running the first fork is killed after the payment's effect but before its
 * result is recorded, or right after it is recorded; two fresh workers then finish both forks
 * side by side. Each run paid once under its own key (0 duplicates), the unknown outcome was
 * asked about instead of paid again, and the parent's journal did not change.
 */
export function describeForkCrash(databaseUrl: () => Promise<string>): void {
  it.each(["effect-after:" + SEND, "recorded:" + SEND])("a fork killed at %s: every payment once per run, the parent untouched", async (point) => {
    const dir = scratchDir("cs-agents-fork-crash-");
    const url = await databaseUrl();
    const files = { calls: join(dir, "calls.log"), effects: join(dir, "effects.log") };
    const env = { DATABASE_URL: url, CALLS_FILE: files.calls, EFFECTS_FILE: files.effects, LEASE_MS: "1000" };
    const parentId = newRunId();
    const parentRun = await runWorker(parentId, "crash test with payment", env);
    expect(parentRun.code, parentRun.stderr).toBe(0);

    const store = (await openStore(url)) as Store as ServiceStore;
    try {
      const before = JSON.stringify(await store.load(parentId));
      const parent = await store.get(parentId);
      if (parent?.status !== "succeeded") throw new Error(`the parent ended ${String(parent?.status)}`);
      const fork = (runId: string, idempotencyKey: string) =>
        store.forkAudited({ parentId, stepKey: SEND, task: forkTask(parent.task, { idempotencyKey }) }, { runId, requestHash: idempotencyKey, submittedBy: "test" }, { action: "task.forked", actor: "test", tenant: "" });
      const [first, second, same] = await Promise.all([fork(newRunId(), `${parentId}-a`), fork(newRunId(), `${parentId}-b`), fork(newRunId(), `${parentId}-a`)]);
      expect(same.run.id).toBe(first.run.id);
      expect(second.run.id).not.toBe(first.run.id);
      const forks = [first.run.id, second.run.id];

      const crashed = await runWorker(first.run.id, "unused", { ...env, CRASH_AT: point });
      expect(crashed.signal, crashed.stderr + JSON.stringify(crashed.lines.filter((l) => l.event !== "stats"))).toBe("SIGKILL");
      const workers = [startWorker(["worker"], env), startWorker(["worker"], env)];
      try {
        if (point.startsWith("effect-after:")) {
          // Paid, outcome unknown: the fork waits for a person instead of paying again.
          await untilStatus(store, first.run.id, ["waiting_approval"]);
          expect((await store.load(first.run.id)).find((s) => s.key === SEND)?.status).toBe("ambiguous");
          await store.decide(first.run.id, SEND, { action: "done", output: { item: "b-0", done: true } });
        }
        for (const id of forks) await untilStatus(store, id, ["succeeded"]);
      } finally {
        for (const w of workers) w.child.kill("SIGTERM");
        await Promise.all(workers.map((w) => w.done));
      }
      expect(JSON.stringify(await store.load(parentId))).toBe(before);
      expect((await store.forkLinks(parentId)).forks.map((f) => f.id).sort()).toEqual([...forks].sort());

      const effects = countBy(logLines(files.effects));
      // Each run paid once, under its own key; nothing happened twice anywhere.
      const payments = [...effects.keys()].filter((line) => line.startsWith("crash.send ")).sort();
      expect(payments).toEqual([parentId, ...forks].map((id) => `crash.send ${id}/${SEND}`).sort());
      expect([...effects.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      // The forks replayed a's calls from the parent's journal: a's effects are the parent's only.
      expect([...effects.keys()].filter((line) => line.includes("/subtask/a/") && !line.includes(parentId))).toEqual([]);
    } finally {
      await store.close();
    }

  }, 120_000);
}

async function untilStatus(store: Store, runId: string, statuses: readonly string[]): Promise<void> {
  for (let i = 0; i < 1_200; i++) {
    const run = await store.get(runId);
    if (run && statuses.includes(run.status)) return;
    if (run && ["failed", "cancelled"].includes(run.status)) throw new Error(`run ${runId} ended ${run.status}: ${JSON.stringify(run.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never became ${statuses.join(" or ")}`);
}
