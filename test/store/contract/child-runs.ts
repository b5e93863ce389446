import { describe, expect, it } from "vitest";
import type { ServiceStore, Store } from "../../../src/store/index.js";
import { claimOne, LONG_LEASE_MS, runId, step, useFreshStore } from "./context.js";
import type { MakeStore } from "./context.js";

const RESULT = { subtasks: {}, artifacts: [], output: { ok: true } };

/**
 * Child runs: a parent waiting for its children holds no lease and is queued again in the commit
 * of any child's final status, by whatever path it finishes; cancelling a parent cancels its
 * unfinished descendants.
 */
export function describeChildRuns(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);
  const claimAll = async (workerId: string) => (await store().claim({ workerId, leaseMs: LONG_LEASE_MS, limit: 10, maxCrashes: 3 })).map((l) => l.runId);

  /** run-001 claimed and waiting for its child run-002 (queued), as a worker leaves them. */
  async function parentWaiting(s: Store) {
    await s.submit({ description: "parent", tenant: "acme" }, { runId: runId(1) });
    const parent = await claimOne(s, "w1", { runId: runId(1) });
    await s.submit({ description: "child", tenant: "acme", idempotencyKey: `child:${runId(1)}:subtask/kid/child/0` }, { runId: runId(2), parent: { runId: runId(1), subtask: "kid" } });
    await s.record(parent, step(parent, "subtask/kid/child/0", { kind: "child", status: "started", output: { runId: runId(2) } }));
    await s.sleep(parent, null, "waiting_children");
    return parent;
  }

  describe("submit with a parent", () => {
    it("links the child to its parent's subtask, and lists a run's children", async () => {
      await parentWaiting(store());
      expect((await store().get(runId(2)))?.parent).toEqual({ runId: runId(1), subtask: "kid" });
      expect((await store().get(runId(1)))?.parent).toBeUndefined();
      expect(await store().children(runId(1))).toEqual([{ id: runId(2), status: "queued", subtask: "kid", createdAt: expect.any(Date) as Date }]);
      expect(await store().children(runId(2))).toEqual([]);
    });

    it("submitted again with the same key, finds the first child: one child run, not two", async () => {
      await parentWaiting(store());
      const again = await store().submit({ description: "child", tenant: "acme", idempotencyKey: `child:${runId(1)}:subtask/kid/child/0` }, { runId: runId(3), parent: { runId: runId(1), subtask: "kid" } });
      expect(again).toMatchObject({ created: false, run: { id: runId(2) } });
      expect(await store().children(runId(1))).toHaveLength(1);
    });
  });

  describe("waiting for children", () => {
    it("holds no lease and is not claimable while the child is unfinished; only the child is", async () => {
      const parent = await parentWaiting(store());
      expect((await store().get(runId(1)))?.status).toBe("waiting_children");
      expect(await store().heartbeat(parent, LONG_LEASE_MS)).toBe(false);
      expect(await claimAll("w2")).toEqual([runId(2)]);
    });

    it("is queued again in the commit of the child's outcome", async () => {
      await parentWaiting(store());
      const child = await claimOne(store(), "w2", { runId: runId(2) });
      await store().transition(child, { status: "succeeded", result: RESULT });
      expect((await store().get(runId(1)))?.status).toBe("queued");
      expect(await claimAll("w3")).toEqual([runId(1)]);
    });

    it("is queued again when the child fails or is cancelled through the service", async () => {
      await parentWaiting(store());
      await (store() as Store & ServiceStore).cancel(runId(2), { action: "task.cancelled", actor: "alice", tenant: "acme", details: {} });
      expect((await store().get(runId(1)))?.status).toBe("queued");
    });

    it("is queued again when the child is failed as poison", async () => {
      await parentWaiting(store());
      // Three lease expiries while held alone: the fourth claim fails the child as POISON_RUN.
      for (let i = 0; i < 3; i++) {
        await store().claim({ workerId: `crash${i}`, leaseMs: 1, limit: 1, maxCrashes: 2, runId: runId(2) });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await store().claim({ workerId: "w9", leaseMs: LONG_LEASE_MS, limit: 10, maxCrashes: 2 });
      const child = await store().get(runId(2));
      expect(child?.status).toBe("failed");
      // Queued by the verdict's commit: the same claim may already have taken it.
      expect(["queued", "running"]).toContain((await store().get(runId(1)))?.status);
    });

    it("goes to the queue at once when its child finished before it went to wait", async () => {
      await store().submit({ description: "parent" }, { runId: runId(1) });
      const parent = await claimOne(store(), "w1", { runId: runId(1) });
      await store().submit({ description: "child" }, { runId: runId(2), parent: { runId: runId(1), subtask: "kid" } });
      const child = await claimOne(store(), "w2", { runId: runId(2) });
      // The child finishes while its parent is still running: its trigger finds nobody waiting.
      await store().transition(child, { status: "failed", error: { code: "BOOM", message: "boom" } });
      await store().sleep(parent, null, "waiting_children");
      expect((await store().get(runId(1)))?.status).toBe("queued");
      expect(await claimAll("w3")).toEqual([runId(1)]);
    });

    it("wakes at its timer, when it has one, even while the child runs", async () => {
      await store().submit({ description: "parent" }, { runId: runId(1) });
      const parent = await claimOne(store(), "w1", { runId: runId(1) });
      await store().submit({ description: "child" }, { runId: runId(2), parent: { runId: runId(1), subtask: "kid" } });
      await claimOne(store(), "w2", { runId: runId(2) });
      await store().sleep(parent, new Date(Date.now() - 1), "waiting_children");
      expect(await claimAll("w3")).toEqual([runId(1)]);
    });

    it("a run with no parent finishing wakes nobody", async () => {
      await parentWaiting(store());
      await store().submit({ description: "other" }, { runId: runId(3) });
      const other = await claimOne(store(), "w2", { runId: runId(3) });
      await store().transition(other, { status: "succeeded", result: RESULT });
      expect((await store().get(runId(1)))?.status).toBe("waiting_children");
    });
  });

  describe("cancel", () => {
    it("cancels every unfinished descendant with the parent, and leaves finished ones and other runs alone", async () => {
      await parentWaiting(store());
      // run-002 runs and has a child of its own (run-004) and a finished one (run-005); run-003 is unrelated.
      await store().submit({ description: "other" }, { runId: runId(3) });
      await claimOne(store(), "w2", { runId: runId(2) });
      await store().submit({ description: "grandchild" }, { runId: runId(4), parent: { runId: runId(2), subtask: "deep" } });
      await store().submit({ description: "done grandchild" }, { runId: runId(5), parent: { runId: runId(2), subtask: "done" } });
      const done = await claimOne(store(), "w3", { runId: runId(5) });
      await store().transition(done, { status: "succeeded", result: RESULT });
      const cancelled = await (store() as Store & ServiceStore).cancel(runId(1), { action: "task.cancelled", actor: "alice", tenant: "acme", details: {} });
      expect(cancelled?.cancelled).toBe(true);
      const statuses = await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await store().get(runId(n)))?.status));
      expect(statuses).toEqual(["cancelled", "cancelled", "queued", "cancelled", "succeeded"]);
      expect((await store().get(runId(2)))?.error).toMatchObject({ code: "CANCELLED", message: expect.stringContaining(runId(1)) as string });
      // The worker holding run-002 sees the cancel at its next check and stops it.
      expect(await store().cancelledAmong([runId(2), runId(3)])).toEqual([runId(2)]);
    });
  });
}
