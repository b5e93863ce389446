import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryJournal, defaultLeaseMarginMs, LeaseDeadline, Worker } from "../../src/engine/index.js";
import type { Journal } from "../../src/engine/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { planOf, testEngine } from "./fixtures.js";

describe("LeaseDeadline", () => {
  afterEach(() => vi.useRealTimers());

  it("keeps 10 % of the lease back, at least 200 ms and at most half the lease", () => {
    expect(defaultLeaseMarginMs(30_000)).toBe(3_000);
    expect(defaultLeaseMarginMs(2_000)).toBe(200);
    expect(defaultLeaseMarginMs(300)).toBe(150);
  });

  it("is held until the confirmed send time plus the lease minus the margin, on the injected clock", () => {
    let t = 1_000;
    const deadline = new LeaseDeadline({ leaseMs: 2_000, now: () => t }, 1_000);
    expect(deadline.deadline).toBe(2_800);
    t = 2_799;
    expect(deadline.held()).toBe(true);
    t = 2_800;
    expect(deadline.held()).toBe(false);
    expect(deadline.signal.aborted).toBe(true);
    deadline.close();
  });

  it("moves on with each confirmed heartbeat, never back, and never after it passed", () => {
    let t = 0;
    const passed = vi.fn();
    const deadline = new LeaseDeadline({ leaseMs: 1_000, marginMs: 100, now: () => t, onPassed: passed }, 0);
    t = 500;
    deadline.confirm(400);
    expect(deadline.deadline).toBe(1_300);
    deadline.confirm(100); // an older heartbeat answered late
    expect(deadline.deadline).toBe(1_300);
    t = 1_300;
    expect(deadline.held()).toBe(false);
    deadline.confirm(1_250); // a confirmation after the deadline passed does not revive the lease
    expect(deadline.held()).toBe(false);
    expect(passed).toHaveBeenCalledTimes(1);
    deadline.close();
  });

  it("aborts its signal when the deadline passes with nobody asking", () => {
    vi.useFakeTimers();
    let t = 0;
    const passed = vi.fn();
    const deadline = new LeaseDeadline({ leaseMs: 1_000, marginMs: 200, now: () => t, onPassed: passed }, 0);
    t = 799;
    vi.advanceTimersByTime(799);
    expect(deadline.signal.aborted).toBe(false);
    t = 800;
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(passed).toHaveBeenCalledTimes(1);
    deadline.close();
  });
});

describe("a run whose lease ran out", () => {
  it("does not call a non-idempotent tool when the intent's commit came back after the deadline", async () => {
    const t = testEngine({ plan: planOf({ a: [] }), idempotent: false });
    let held = true;
    const base = createMemoryJournal();
    // The intent's commit is where a partition held the worker's database replies.
    const journal: Journal = {
      ...base,
      record: async (step) => {
        await base.record(step);
        if (step.status === "started") held = false;
      },
      load: (id) => base.load(id),
    };
    const outcome = t.engine.execute({ runId: "r1", task: t.task, journal, lease: { epoch: 1, held: () => held } }).catch((error: unknown) => error);
    expect(await outcome).toMatchObject({ code: "LEASE_LOST" });
    expect(t.calls).toEqual([]);
  });

  it("calls no tool once the worker's clock says its lease is gone, and ends the run as lease_lost", async () => {
    const store = SqliteStore.open(":memory:");
    try {
      let t = 0;
      const engine = testEngine({ plan: planOf({ a: [] }) });
      // The clock jumps past the lease while the claim is on its way: as if the process had been paused.
      const claim = store.claim.bind(store);
      const slowStore = Object.assign(Object.create(store) as SqliteStore, {
        claim: async (request: Parameters<SqliteStore["claim"]>[0]) => {
          const leases = await claim(request);
          t += 5_000;
          return leases;
        },
      });
      const worker = new Worker({ store: slowStore, engine: engine.engine, workerId: "w1", leaseMs: 2_000, clock: () => t });
      await store.submit(engine.task, { runId: "r1" });
      expect(await worker.runOne("r1")).toMatchObject({ runId: "r1", kind: "lease_lost" });
      expect(engine.calls).toEqual([]);
      expect((await store.get("r1"))?.status).toBe("running");
    } finally {
      await store.close();
    }
  });

  it("hands the tool its fencing token: the lease epoch with the idempotency key", async () => {
    const store = SqliteStore.open(":memory:");
    try {
      const engine = testEngine({ plan: planOf({ a: [] }), idempotent: false });
      const worker = new Worker({ store, engine: engine.engine, workerId: "w1" });
      await store.submit(engine.task, { runId: "r1" });
      expect(await worker.runOne("r1")).toMatchObject({ kind: "finished" });
      expect(engine.calls.map((c) => c.fencing)).toEqual([{ epoch: 1, key: "r1/subtask/a/call/0" }]);
    } finally {
      await store.close();
    }
  });
});
