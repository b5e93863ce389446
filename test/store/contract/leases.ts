import { describe, expect, it } from "vitest";
import { LONG_LEASE_MS, SHORT_LEASE_MS, claimOne, runId, submitRuns, useFreshStore, waitForExpiry } from "./context.js";
import type { MakeStore } from "./context.js";

export function describeLeases(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);
  const claim = (workerId: string, options: { limit?: number; leaseMs?: number; maxCrashes?: number; runId?: string; holding?: number } = {}) =>
    store().claim({
      workerId,
      leaseMs: options.leaseMs ?? LONG_LEASE_MS,
      limit: options.limit ?? 1,
      maxCrashes: options.maxCrashes ?? 3,
      ...(options.runId ? { runId: options.runId } : {}),
      ...(options.holding ? { holding: options.holding } : {}),
    });

  describe("claim", () => {
    it("claims the oldest runs first, up to the limit, each once", async () => {
      await submitRuns(store(), 3);
      const first = await claim("w1", { limit: 2 });
      expect(first.map((l) => [l.runId, l.workerId, l.epoch, l.reclaimed])).toEqual([
        [runId(1), "w1", 1, false],
        [runId(2), "w1", 1, false],
      ]);
      expect(first[0]?.task).toEqual({ description: "task 1" });
      // The claim is the run's move to running: workers write no separate transition.
      expect((await store().get(runId(1)))?.status).toBe("running");
      expect((await store().get(runId(3)))?.status).toBe("queued");
      expect((await claim("w2", { limit: 5 })).map((l) => l.runId)).toEqual([runId(3)]);
      expect(await claim("w3", { limit: 5 })).toEqual([]);
      expect(store().stats()).toEqual({ reclaims: 0, staleWritesRejected: 0 });
    });

    it("submits a run already claimed (eager start): running, its lease fencing writes, taken over only after it expires", async () => {
      const { run, created, lease } = await store().submit({ description: "now" }, { runId: runId(1), claim: { workerId: "w1", leaseMs: SHORT_LEASE_MS } });
      expect([run.status, created]).toEqual(["running", true]);
      expect(lease).toEqual({ runId: runId(1), workerId: "w1", epoch: 1, task: { description: "now" }, reclaimed: false, alone: false });
      if (!lease) return;
      expect(await claim("w2", { limit: 5 })).toEqual([]);
      await store().record(lease, { runId: lease.runId, key: "plan", kind: "plan", status: "succeeded", startedAt: new Date() });
      await waitForExpiry();
      const [taken] = await claim("w2");
      expect(taken).toMatchObject({ runId: runId(1), epoch: 2, reclaimed: true });
      await expect(store().record(lease, { runId: lease.runId, key: "late", kind: "plan", status: "succeeded", startedAt: new Date() })).rejects.toMatchObject({ code: "LEASE_LOST" });
    });

    it("claims nothing when the submit finds the run already there (the same idempotency key)", async () => {
      await store().submit({ description: "once", idempotencyKey: "k" }, { runId: runId(1) });
      const again = await store().submit({ description: "once", idempotencyKey: "k" }, { runId: runId(2), claim: { workerId: "w1", leaseMs: LONG_LEASE_MS } });
      expect(again).toEqual({ created: false, run: expect.objectContaining({ id: runId(1), status: "queued" }) });
      expect((await claim("w2")).map((l) => l.runId)).toEqual([runId(1)]);
    });

    it("never hands one run to two workers claiming at once", async () => {
      await submitRuns(store(), 10);
      const batches = await Promise.all(Array.from({ length: 20 }, (_, i) => claim(`w${i}`)));
      const claimed = batches.flat().map((l) => l.runId);
      expect(new Set(claimed).size).toBe(claimed.length);
      const rest = (await claim("sweeper", { limit: 20 })).map((l) => l.runId);
      expect(new Set([...claimed, ...rest]).size).toBe(10);
      expect(claimed.length + rest.length).toBe(10);
    });

    it("reclaims an expired lease with the next epoch and counts it", async () => {
      await submitRuns(store(), 1);
      const old = await claimOne(store(), "w1", { leaseMs: SHORT_LEASE_MS });
      await waitForExpiry();
      const taken = await claimOne(store(), "w2");
      expect(taken).toMatchObject({ runId: old.runId, workerId: "w2", epoch: 2, reclaimed: true });
      expect(store().stats().reclaims).toBe(1);
      expect(await store().heartbeat(old, LONG_LEASE_MS)).toBe(false);
    });

    it("takes over an unexpired lease when claiming one run by id", async () => {
      await submitRuns(store(), 2);
      const old = await claimOne(store(), "w1");
      const taken = await claimOne(store(), "resume", { runId: old.runId });
      expect(taken).toMatchObject({ runId: old.runId, epoch: 2, reclaimed: true });
      expect(await claim("resume", { runId: "nope" })).toEqual([]);
      await store().transition(taken, { status: "cancelled", plan: undefined, error: { code: "CANCELLED", message: "stop" } });
      expect(await claim("resume", { runId: old.runId })).toEqual([]);
    });

    it("hands a released run to the next worker at once without counting a crash", async () => {
      await submitRuns(store(), 1);
      const first = await claimOne(store(), "w1");
      await store().release(first);
      const next = await claimOne(store(), "w2", { maxCrashes: 1 });
      expect(next).toMatchObject({ runId: first.runId, epoch: 2, reclaimed: false });
      expect(store().stats().reclaims).toBe(0);
    });

    it("ignores a release with a stale lease", async () => {
      await submitRuns(store(), 1);
      const old = await claimOne(store(), "w1");
      await claimOne(store(), "w2", { runId: old.runId });
      await store().release(old);
      expect(await claim("w3")).toEqual([]);
    });

    it("fails a run as POISON_RUN once its lease expired maxCrashes times", async () => {
      await submitRuns(store(), 1);
      await claimOne(store(), "w1", { leaseMs: SHORT_LEASE_MS, maxCrashes: 2 });
      await waitForExpiry();
      await claimOne(store(), "w2", { leaseMs: SHORT_LEASE_MS, maxCrashes: 2 });
      await waitForExpiry();
      expect(await claim("w3", { maxCrashes: 2 })).toEqual([]);
      const run = await store().get(runId(1));
      expect(run).toMatchObject({ status: "failed", error: { code: "POISON_RUN" } });
      expect(run?.error?.message).toContain("took down 2 workers");
      expect(store().stats().reclaims).toBe(1);
      expect(await claim("w4", { runId: runId(1) })).toEqual([]);
    });

    it("quarantines the runs a crash orphaned without counting it, and hands each alone to a worker holding none", async () => {
      await submitRuns(store(), 3);
      const first = await claim("w1", { limit: 2, leaseMs: SHORT_LEASE_MS, maxCrashes: 1 });
      expect(first.map((l) => l.alone)).toEqual([false, false]);
      await waitForExpiry();
      // While a quarantined run waits, a worker holding runs gets nothing, not even runId(3).
      expect(await claim("w2", { limit: 5, holding: 1, maxCrashes: 1 })).toEqual([]);
      const [suspect] = await claim("w2", { limit: 5, leaseMs: SHORT_LEASE_MS, maxCrashes: 1 });
      expect(suspect).toMatchObject({ runId: runId(1), reclaimed: true, alone: true });
      const [other] = await claim("w3", { limit: 5, maxCrashes: 1 });
      expect(other).toMatchObject({ runId: runId(2), reclaimed: true, alone: true });
      expect((await claim("w4", { limit: 5, holding: 1, maxCrashes: 1 })).map((l) => [l.runId, l.alone])).toEqual([[runId(3), false]]);
      // runId(1) was alone when its worker vanished: that crash counts (maxCrashes 1).
      await waitForExpiry();
      expect(await claim("w5", { maxCrashes: 1 })).toEqual([]);
      expect(await store().get(runId(1))).toMatchObject({ status: "failed", error: { code: "POISON_RUN" } });
      expect((await store().get(runId(2)))?.status).toBe("running");
    });

    it("counts a crash of a worker that held the run alone from its first claim", async () => {
      await submitRuns(store(), 1);
      expect(await claimOne(store(), "w1", { leaseMs: SHORT_LEASE_MS, maxCrashes: 1 })).toMatchObject({ alone: true });
      await waitForExpiry();
      expect(await claim("w2", { maxCrashes: 1 })).toEqual([]);
      expect((await store().get(runId(1)))?.error?.code).toBe("POISON_RUN");
    });

    it("does not claim a run waiting for approval", async () => {
      await submitRuns(store(), 1);
      const lease = await claimOne(store(), "w1");
      await store().transition(lease, { status: "waiting_approval" });
      expect(await claim("w2")).toEqual([]);
      expect(await claim("w2", { runId: lease.runId })).toEqual([]);
    });
  });

  describe("heartbeat", () => {
    it("extends the lease so nobody else can claim the run", async () => {
      await submitRuns(store(), 1);
      const lease = await claimOne(store(), "w1", { leaseMs: SHORT_LEASE_MS });
      expect(await store().heartbeat(lease, LONG_LEASE_MS)).toBe(true);
      await waitForExpiry();
      expect(await claim("w2")).toEqual([]);
    });

    it("fails once the run was taken over or finished", async () => {
      await submitRuns(store(), 2);
      const old = await claimOne(store(), "w1");
      const taken = await claimOne(store(), "w2", { runId: old.runId });
      expect(await store().heartbeat(old, LONG_LEASE_MS)).toBe(false);
      await store().transition(taken, { status: "failed", plan: undefined, error: { code: "X", message: "x" } });
      expect(await store().heartbeat(taken, LONG_LEASE_MS)).toBe(false);
    });
  });
}
