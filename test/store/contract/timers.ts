import { describe, expect, it } from "vitest";
import { claimOne, runId, submitRuns, useFreshStore } from "./context.js";
import type { MakeStore } from "./context.js";

/** Sleeping runs (durable timers): no lease while asleep, claimable again once due, due first. */
export function describeTimers(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);
  const claimAll = async (workerId: string) => (await store().claim({ workerId, leaseMs: 60_000, limit: 10, maxCrashes: 3 })).map((l) => l.runId);
  const soon = (ms: number) => new Date(Date.now() + ms);

  describe("sleep", () => {
    it("gives up the lease: the run sleeps and is not claimable before its wake time", async () => {
      await submitRuns(store(), 1);
      const lease = await claimOne(store(), "w1");
      await store().sleep(lease, soon(60_000));
      expect((await store().get(runId(1)))?.status).toBe("sleeping");
      expect(await claimAll("w2")).toEqual([]);
      // No lease is left to extend or to write under.
      expect(await store().heartbeat(lease, 60_000)).toBe(false);
      await expect(store().record(lease, { runId: runId(1), key: "late", kind: "plan", status: "succeeded", startedAt: new Date() })).rejects.toMatchObject({ code: "LEASE_LOST" });
    });

    it("is claimable once its wake time has passed, with a new epoch", async () => {
      await submitRuns(store(), 1);
      const lease = await claimOne(store(), "w1");
      await store().sleep(lease, new Date(Date.now() - 1));
      const [woken] = await store().claim({ workerId: "w2", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      expect(woken).toMatchObject({ runId: runId(1), workerId: "w2", epoch: 2, reclaimed: false });
      expect((await store().get(runId(1)))?.status).toBe("running");
      expect(await claimAll("w3")).toEqual([]);
    });

    it("claims by due time: a timer due earlier goes before a later one and before runs queued after it was due", async () => {
      await submitRuns(store(), 2);
      const [a, b] = await store().claim({ workerId: "w1", leaseMs: 60_000, limit: 2, maxCrashes: 3 });
      if (!a || !b) throw new Error("claimed too few");
      const now = Date.now();
      await store().sleep(a, new Date(now - 500));
      await store().sleep(b, new Date(now - 1_000));
      await store().submit({ description: "late" }, { runId: runId(3) });
      const order: string[] = [];
      for (let i = 0; i < 3; i++) {
        const [lease] = await store().claim({ workerId: `w${i + 2}`, leaseMs: 60_000, limit: 1, maxCrashes: 3 });
        if (lease) order.push(lease.runId);
      }
      expect(order).toEqual([runId(2), runId(1), runId(3)]);
    });

    it("refuses a stale lease and changes nothing", async () => {
      await submitRuns(store(), 1);
      const lease = await claimOne(store(), "w1");
      await store().transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: null } });
      await expect(store().sleep(lease, soon(1_000))).rejects.toMatchObject({ code: "LEASE_LOST" });
      expect((await store().get(runId(1)))?.status).toBe("succeeded");
    });
  });
}
