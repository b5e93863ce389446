import { describe, expect, it } from "vitest";
import { TENANTS_PER_CLAIM } from "../../../src/store/store-rules.js";
import { runId, useFreshStore } from "./context.js";
import type { MakeStore } from "./context.js";

/** Priorities order a tenant's runs; tenants share the workers, however long one's queue. */
export function describePriorities(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);
  const claim = async (workerId: string, limit: number) => (await store().claim({ workerId, leaseMs: 60_000, limit, maxCrashes: 3 })).map((l) => l.runId);

  describe("priorities and fairness", () => {
    it("claims a tenant's higher priority first, then the older of equal priority; 5 when none is given", async () => {
      const priorities = [undefined, 9, 0, 5, 9];
      for (const [i, priority] of priorities.entries()) {
        await store().submit({ description: `p${priority ?? "-"}`, tenant: "acme", ...(priority === undefined ? {} : { priority }) }, { runId: runId(i + 1) });
      }
      expect(await claim("w1", 10)).toEqual([runId(2), runId(5), runId(1), runId(4), runId(3)]);
    });

    it("claims one run at a time in the same order", async () => {
      await store().submit({ description: "low", priority: 1 }, { runId: runId(1) });
      await store().submit({ description: "high", priority: 8 }, { runId: runId(2) });
      expect(await claim("w1", 1)).toEqual([runId(2)]);
      expect(await claim("w1", 1)).toEqual([runId(1)]);
    });

    it("puts another tenant's one run in the first claim batch while a tenant has 1,000 queued before it", async () => {
      const flood = Array.from({ length: 1_000 }, (_, i) => ({ description: `a${i}`, tenant: "a" }));
      for (const [i, task] of flood.entries()) await store().submit(task, { runId: `a-${String(i).padStart(4, "0")}` });
      await store().submit({ description: "b's only run", tenant: "b" }, { runId: "b-0001" });
      const batch = await claim("w1", 8);
      expect(batch).toHaveLength(8);
      expect(batch).toContain("b-0001");
    });

    it("gives the next single claim to the tenant holding fewer runs, though its run is newer and of lower priority", async () => {
      for (let i = 1; i <= 5; i++) await store().submit({ description: `a${i}`, tenant: "a", priority: 9 }, { runId: runId(i) });
      await store().submit({ description: "b", tenant: "b", priority: 0 }, { runId: runId(6) });
      // Tenant a holds one run now; b holds none, so b's run goes next.
      expect(await claim("w1", 1)).toEqual([runId(1)]);
      expect(await claim("w2", 1)).toEqual([runId(6)]);
      expect(await claim("w3", 4)).toEqual([runId(2), runId(3), runId(4), runId(5)]);
    });

    it("between tenants holding as many runs, takes the higher priority first", async () => {
      await store().submit({ description: "a", tenant: "a", priority: 2 }, { runId: runId(1) });
      await store().submit({ description: "b", tenant: "b", priority: 7 }, { runId: runId(2) });
      expect(await claim("w1", 1)).toEqual([runId(2)]);
      expect(await claim("w1", 1)).toEqual([runId(1)]);
    });

    it("alternates tenants within one batch, each tenant's own runs by priority", async () => {
      for (let i = 1; i <= 3; i++) await store().submit({ description: `a${i}`, tenant: "a", priority: i }, { runId: runId(i) });
      for (let i = 4; i <= 6; i++) await store().submit({ description: `b${i}`, tenant: "b" }, { runId: runId(i) });
      // a's line: 3, 2, 1 (priority); b's: 4, 5, 6 (age). Equal turns: the higher priority first.
      expect(await claim("w1", 6)).toEqual([runId(4), runId(3), runId(5), runId(2), runId(6), runId(1)]);
    });

    it("with more tenants waiting than one claim looks at, claims a run of every tenant within two rounds", async () => {
      const tenants = Array.from({ length: TENANTS_PER_CLAIM + 4 }, (_, t) => `t${String(t).padStart(2, "0")}`);
      let n = 0;
      for (const tenant of tenants) for (let i = 0; i < 3; i++) await store().submit({ description: `${tenant} ${i}`, tenant }, { runId: runId(++n) });
      const served = new Set<string>();
      for (let i = 0; i < 2 * tenants.length; i++) {
        const [lease] = await store().claim({ workerId: `w${i}`, leaseMs: 60_000, limit: 1, maxCrashes: 3 });
        if (lease?.task.tenant !== undefined) served.add(lease.task.tenant);
      }
      expect([...served].sort()).toEqual(tenants);
    });

    it("holds no more than maxHeldPerTenant of a tenant's runs across workers, leaving the rest of a claim to other tenants", async () => {
      for (let i = 1; i <= 6; i++) await store().submit({ description: `a${i}`, tenant: "a", priority: 9 }, { runId: runId(i) });
      const limited = (workerId: string, limit: number) => store().claim({ workerId, leaseMs: 60_000, limit, maxCrashes: 3, maxHeldPerTenant: 2 });
      const first = await limited("w1", 8);
      expect(first.map((l) => l.runId)).toEqual([runId(1), runId(2)]);
      // Another worker: tenant a already holds its 2, so only b's run is handed out.
      await store().submit({ description: "b", tenant: "b", priority: 0 }, { runId: runId(7) });
      expect((await limited("w2", 8)).map((l) => l.runId)).toEqual([runId(7)]);
      expect(await limited("w3", 8)).toEqual([]);
      // One of a's runs finishes: its next run may go.
      const [done] = first;
      if (!done) throw new Error("claimed nothing");
      await store().transition(done, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: null } });
      expect((await limited("w3", 8)).map((l) => l.runId)).toEqual([runId(3)]);
      // Without the limit the queue's rest is claimable as before.
      expect(await claim("w4", 8)).toEqual([runId(4), runId(5), runId(6)]);
    });

    it("keeps the priority on a run released back to the queue", async () => {
      await store().submit({ description: "low", tenant: "a", priority: 1 }, { runId: runId(1) });
      await store().submit({ description: "high", tenant: "a", priority: 9 }, { runId: runId(2) });
      const [high] = await store().claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      if (!high) throw new Error("claimed nothing");
      await store().release(high);
      expect(await claim("w2", 2)).toEqual([runId(2), runId(1)]);
    });

    it("rejects a priority outside 0-9 or not an integer with INVALID_INPUT and stores nothing", async () => {
      for (const priority of [10, -1, 2.5, "9"]) {
        await expect(store().submit({ description: "x", priority } as never, { runId: runId(1) })).rejects.toMatchObject({
          code: "INVALID_INPUT",
          message: expect.stringContaining("priority must be an integer from 0 to 9"),
        });
      }
      expect(await store().get(runId(1))).toBeUndefined();
    });
  });
}
