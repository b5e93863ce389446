import { describe, expect, it } from "vitest";
import type { Store } from "../../../src/store/index.js";
import { claimOne, runId, SHORT_LEASE_MS, step, submitRuns, useFreshStore, waitForExpiry } from "./context.js";
import type { MakeStore } from "./context.js";

const CALL = "subtask/a/call/0";

/** A run whose tool call was cut off: the step is ambiguous and the run waits for a person. */
async function parkAmbiguous(store: Store): Promise<string> {
  await submitRuns(store, 1);
  const lease = await claimOne(store, "w1");
  await store.record(lease, step(lease, "plan", { kind: "plan" }));
  await store.record(lease, step(lease, CALL, { status: "ambiguous", input: { tool: "send" } }));
  await store.transition(lease, { status: "waiting_approval" });
  return lease.runId;
}

async function finish(store: Store, count: number): Promise<void> {
  for (const lease of await store.claim({ workerId: "w", leaseMs: 60_000, limit: count, maxCrashes: 3 })) {
    await store.record(lease, step(lease, "plan", { kind: "plan", output: { big: "x".repeat(100) } }));
    await store.transition(lease, { status: "succeeded", plan: { source: "s", language: "en", params: {}, subtasks: [] }, result: { subtasks: {}, artifacts: [], output: null } });
  }
}

export function describeDecideAndRetention(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);

  describe("decide", () => {
    it("retry forgets the step and queues the run again", async () => {
      const id = await parkAmbiguous(store());
      await store().decide(id, CALL, { action: "retry" });
      expect((await store().load(id)).map((s) => s.key)).toEqual(["plan"]);
      expect((await store().get(id))?.status).toBe("queued");
      // The decision itself bumps the epoch (1 → 2), the next claim again (→ 3).
      expect(await claimOne(store(), "w2")).toMatchObject({ runId: id, epoch: 3, reclaimed: false });
    });

    it("retry bumps the run's epoch: an older holder is fenced and carries a lower epoch than the next one", async () => {
      await submitRuns(store(), 1);
      const stale = await claimOne(store(), "w1", { leaseMs: SHORT_LEASE_MS });
      await store().record(stale, step(stale, CALL, { status: "started", input: { tool: "send" } }));
      // w1 stalls; its lease expires and w2 finds the intent with no result.
      await waitForExpiry();
      const [rescuer] = await store().claim({ workerId: "w2", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      if (!rescuer) throw new Error("the expired run was not reclaimed");
      await store().record(rescuer, step(rescuer, CALL, { status: "ambiguous", input: { tool: "send" } }));
      await store().transition(rescuer, { status: "waiting_approval" });
      await store().decide(stale.runId, CALL, { action: "retry" });
      await expect(store().record(stale, step(stale, CALL, { status: "succeeded", input: { tool: "send" } }))).rejects.toMatchObject({ code: "LEASE_LOST" });
      expect(await store().heartbeat(rescuer, 60_000)).toBe(false);
      const next = await claimOne(store(), "w3");
      expect(next.epoch).toBe(rescuer.epoch + 2);
      expect(stale.epoch).toBeLessThan(next.epoch);
    });

    it("done settles the step with the given output", async () => {
      const id = await parkAmbiguous(store());
      await store().decide(id, CALL, { action: "done", output: { sent: true } });
      const settled = (await store().load(id)).find((s) => s.key === CALL);
      expect(settled).toMatchObject({ status: "succeeded", output: { sent: true }, input: { tool: "send" } });
      expect(settled?.finishedAt).toBeInstanceOf(Date);
      expect((await store().get(id))?.status).toBe("queued");
    });

    it("fail settles the step as DECIDED_FAILED with the reason", async () => {
      const id = await parkAmbiguous(store());
      await store().decide(id, CALL, { action: "fail", reason: "charged twice" });
      expect((await store().load(id)).find((s) => s.key === CALL)).toMatchObject({ status: "failed", error: { code: "DECIDED_FAILED", message: "charged twice" } });
    });

    it("refuses unknown runs, unknown steps and steps that are not ambiguous", async () => {
      const id = await parkAmbiguous(store());
      await expect(store().decide("nope", CALL, { action: "retry" })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(store().decide(id, "subtask/b/call/0", { action: "retry" })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining(CALL) });
      await expect(store().decide(id, "plan", { action: "retry" })).rejects.toMatchObject({ code: "NOT_AMBIGUOUS" });
      expect((await store().get(id))?.status).toBe("waiting_approval");
    });
  });

  describe("prune", () => {
    it("keeps the newest finished runs, never active ones, and deletes steps with their run", async () => {
      await submitRuns(store(), 4);
      await finish(store(), 3);
      expect(await store().prune({ maxFinishedRuns: 1 })).toBe(2);
      expect((await store().list()).map((r) => r.id)).toEqual([runId(4), runId(3)]);
      expect(await store().load(runId(1))).toEqual([]);
      expect(await store().storageBytes(runId(1))).toBe(0);
    });

    it("deletes finished runs older than maxAgeMs", async () => {
      await submitRuns(store(), 2);
      await finish(store(), 1);
      await waitForExpiry();
      await finish(store(), 1);
      expect(await store().prune({})).toBe(0);
      expect(await store().prune({ maxAgeMs: 100 })).toBe(1);
      expect((await store().list()).map((r) => r.id)).toEqual([runId(2)]);
    });
  });

  describe("storage", () => {
    it("counts the JSON bytes of a run and its steps, each step once", async () => {
      await submitRuns(store(), 1);
      const base = await store().storageBytes(runId(1));
      expect(base).toBe(Buffer.byteLength(JSON.stringify((await store().get(runId(1)))?.task)));
      const lease = await claimOne(store(), "w1");
      await store().record(lease, step(lease, "k", { output: "数".repeat(500) }));
      const grown = await store().storageBytes(runId(1));
      expect(grown).toBe(base + Buffer.byteLength(JSON.stringify("数".repeat(500))));
      await store().record(lease, step(lease, "k", { output: "small" }));
      expect(await store().storageBytes(runId(1))).toBe(base + JSON.stringify("small").length);
      expect(await store().storageBytes("nope")).toBe(0);
    });

    it("migrates idempotently", async () => {
      expect(await store().migrate()).toEqual([]);
    });
  });
}
