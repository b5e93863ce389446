import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRulesModel } from "../../src/agents/index.js";
import { createStoreAuditSink } from "../../src/audit/index.js";
import { Worker } from "../../src/engine/index.js";
import { SqliteStore } from "../../src/store/index.js";
import type { LeaseStore, RunStore, StepStore } from "../../src/store/index.js";
import { scratchDir } from "../support/scratch.js";
import { planOf, testEngine } from "./fixtures.js";

describe("Worker", () => {
  let store: SqliteStore | undefined;
  afterEach(async () => store?.close());

  it("moves a run from queued to succeeded with the claim as its only transition to running", async () => {
    store = SqliteStore.open(":memory:");
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }) });
    const worker = new Worker({ store, engine: t.engine, workerId: "w1" });
    await store.submit(t.task, { runId: "r1" });
    const end = await worker.runOne("r1");
    expect(end).toMatchObject({ runId: "r1", kind: "finished", outcome: { status: "succeeded" } });
    expect(await store.get("r1")).toMatchObject({ status: "succeeded", plan: planOf({ a: [], b: ["a"] }), result: { output: { id: "b" } } });
    expect((await store.load("r1")).map((s) => s.key)).toEqual(["plan", "subtask/a/call/0", "subtask/a/done", "subtask/b/call/0", "subtask/b/done"]);
  });

  it("commits the last subtask's steps with the run's outcome, in one write", async () => {
    const sqlite = (store = SqliteStore.open(":memory:"));
    const writes: string[] = [];
    const spy: LeaseStore & StepStore & Pick<RunStore, "submit"> = {
      submit: (task, options) => (writes.push(`submit ${options.claim ? "claimed" : "queued"}`), sqlite.submit(task, options)),
      claim: (request) => (writes.push("claim"), sqlite.claim(request)),
      cancelledAmong: (ids) => sqlite.cancelledAmong(ids),
      heartbeat: (lease, ms) => sqlite.heartbeat(lease, ms),
      release: (lease) => sqlite.release(lease),
      sleep: (lease, wakeAt) => sqlite.sleep(lease, wakeAt),
      stats: () => sqlite.stats(),
      load: (runId) => sqlite.load(runId),
      record: (lease, step) => (writes.push(`record ${step.key}`), sqlite.record(lease, step)),
      recordAll: (lease, steps) => (writes.push(`recordAll ${steps.map((x) => x.key).join(" ")}`), sqlite.recordAll(lease, steps)),
      transition: (lease, update, steps) => (writes.push(`transition ${update.status} ${(steps ?? []).map((x) => x.key).join(" ")}`.trim()), sqlite.transition(lease, update, steps)),
    };
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), deterministicPlanner: true });
    const worker = new Worker({ store: spy, engine: t.engine, workerId: "w1" });
    await sqlite.submit(t.task, { runId: "r1" });
    expect(await worker.runOne("r1")).toMatchObject({ kind: "finished", outcome: { status: "succeeded" } });
    expect(writes).toEqual(["claim", "recordAll plan subtask/a/call/0 subtask/a/done", "transition succeeded subtask/b/call/0 subtask/b/done"]);
    expect(await sqlite.get("r1")).toMatchObject({ status: "succeeded", result: { output: { id: "b", seen: ["a"] } } });
    expect((await sqlite.load("r1")).map((x) => x.key)).toEqual(["plan", "subtask/a/call/0", "subtask/a/done", "subtask/b/call/0", "subtask/b/done"]);
  });

  it("tells onWritten after each commit of a run, after it is visible, and a throwing listener harms nothing", async () => {
    const sqlite = (store = SqliteStore.open(":memory:"));
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), deterministicPlanner: true });
    const seen: string[] = [];
    const errors: unknown[] = [];
    const worker = new Worker({
      store: sqlite,
      engine: t.engine,
      workerId: "w1",
      onError: (error) => errors.push(error),
      onWritten: (runId) => {
        seen.push(runId);
        throw new Error("listener broke");
      },
    });
    const counts: number[] = [];
    const counting = new Worker({ store: sqlite, engine: t.engine, workerId: "w2", onWritten: (runId) => void sqlite.load(runId).then((steps) => counts.push(steps.length)) });
    await sqlite.submit(t.task, { runId: "r1" });
    expect(await worker.runOne("r1")).toMatchObject({ kind: "finished", outcome: { status: "succeeded" } });
    // The claim, the first subtask's commit (with the plan), the outcome with the last subtask's steps.
    expect(seen).toEqual(["r1", "r1", "r1"]);
    expect(errors).toHaveLength(3);
    expect(await sqlite.get("r1")).toMatchObject({ status: "succeeded" });

    // What a stream woken at each call reads: every step committed so far.
    await sqlite.submit(t.task, { runId: "r2" });
    await counting.runOne("r2");
    await vi.waitFor(() => expect(counts).toHaveLength(3));
    expect(counts).toEqual([0, 3, 5]);
  });

  it("starts a run it submits at once, the submit being its claim (eager start)", async () => {
    store = SqliteStore.open(":memory:");
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), deterministicPlanner: true });
    const worker = new Worker({ store, engine: t.engine, workerId: "w1" });
    const seen: string[] = [];
    const started = await worker.submitAndRun(t.task, { runId: "r1", onSubmitted: (run) => seen.push(`${run.id} ${run.status} ${t.calls.length}`) });
    expect(seen).toEqual(["r1 running 0"]);
    expect(started).toMatchObject({ created: true, run: { id: "r1", status: "running" } });
    expect(worker.activeRuns).toEqual(["r1"]);
    expect(await started.end).toMatchObject({ kind: "finished", outcome: { status: "succeeded" } });
    expect(await store.get("r1")).toMatchObject({ status: "succeeded", result: { output: { id: "b", seen: ["a"] } } });
    // Nothing is left for a claim loop to pick up.
    expect(await store.claim({ workerId: "w2", leaseMs: 1_000, limit: 5, maxCrashes: 3 })).toEqual([]);
  });

  it("claims a run submitted elsewhere at once when woken, not at its next poll", async () => {
    const sqlite = (store = SqliteStore.open(":memory:"));
    const t = testEngine({ plan: planOf({ a: [] }) });
    const worker = new Worker({ store: sqlite, engine: t.engine, workerId: "w1", pollMs: 60_000 });
    worker.start();
    try {
      // Let the first claim find the queue empty, so the loop sleeps on its 60 s poll.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sqlite.submit(t.task, { runId: "r1" });
      worker.wake();
      await vi.waitFor(async () => expect((await sqlite.get("r1"))?.status).toBe("succeeded"), { timeout: 3_000, interval: 20 });
    } finally {
      await worker.stop(1_000);
    }
  });

  it("does not start a run it did not create (the same idempotency key)", async () => {
    store = SqliteStore.open(":memory:");
    const t = testEngine({ plan: planOf({ a: [] }) });
    const worker = new Worker({ store, engine: t.engine, workerId: "w1" });
    await store.submit({ ...t.task, idempotencyKey: "k1" }, { runId: "r1" });
    const again = await worker.submitAndRun({ ...t.task, idempotencyKey: "k1" }, { runId: "r2" });
    expect(again).toEqual({ created: false, run: expect.objectContaining({ id: "r1", status: "queued" }) });
    expect(worker.activeRuns).toEqual([]);
    expect(t.calls).toEqual([]);
  });

  it("commits each model output and sensitive call with its audit entry, through the store's sink", async () => {
    store = SqliteStore.open(":memory:");
    const rules = createRulesModel();
    // Not deterministic, so its decisions are journaled (and audited) one by one.
    const model = { name: "scripted-llm", deterministic: false, decide: rules.decide.bind(rules) };
    const t = testEngine({ plan: planOf({ a: [] }), model, sensitive: true });
    const appended: string[] = [];
    const sink = createStoreAuditSink({
      appendAudit: async (draft) => {
        appended.push(draft.action);
        return (store as SqliteStore).appendAudit(draft);
      },
      recordAudited: (lease, step, draft) => (store as SqliteStore).recordAudited(lease, step, draft),
    });
    const worker = new Worker({ store, engine: t.engine, workerId: "w1", audit: sink });
    await store.submit(t.task, { runId: "r1" });
    expect(await worker.runOne("r1")).toMatchObject({ outcome: { status: "waiting_approval" } });
    const [approval] = (await store.load("r1")).filter((s) => s.kind === "approval");
    await store.decide("r1", approval?.key ?? "", { action: "done", output: { approved: true } });
    expect(await worker.runOne("r1")).toMatchObject({ outcome: { status: "succeeded" } });

    const steps = await store.load("r1");
    const entries = await store.listAudit();
    const modelKeys = steps.filter((s) => s.kind === "model_call").map((s) => s.key);
    expect(modelKeys.length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.action === "model.output").map((e) => e.details.stepKey)).toEqual(modelKeys);
    expect(entries.filter((e) => e.action === "tool.sensitive_call").map((e) => e.details.tool)).toEqual(["work"]);
    // Every entry went in with its step: none through a separate append.
    expect(appended).toEqual([]);
  });

  it("keeps the newest 1,000 ended runs and counts them all, so a long-lived worker does not grow", async () => {
    store = SqliteStore.open(":memory:");
    const t = testEngine({ plan: planOf({ a: [] }) });
    const worker = new Worker({ store, engine: t.engine, workerId: "w1" });
    for (let i = 0; i < 1_003; i++) {
      const runId = `r${String(i).padStart(4, "0")}`;
      await store.submit(t.task, { runId });
      await worker.runOne(runId);
    }
    expect(worker.endedCount).toBe(1_003);
    expect(worker.ended).toHaveLength(1_000);
    expect(worker.ended[0]?.runId).toBe("r0003");
    expect(worker.ended.at(-1)?.runId).toBe("r1002");
  });
});

describe("Worker cancellation", () => {
  it("stops a running run cancelled through another connection within its cancel check, tools aborted", async () => {
    const dir = scratchDir("cs-agents-cancel-");
    const mine = SqliteStore.open(join(dir, "db.sqlite"));
    const elsewhere = SqliteStore.open(join(dir, "db.sqlite"));
    try {
      const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), delayMs: 10_000 });
      const worker = new Worker({ store: mine, engine: t.engine, workerId: "w1", cancelCheckMs: 100 });
      await mine.submit(t.task, { runId: "r1" });
      const end = worker.runOne("r1");
      await until(() => t.calls.length === 1);
      const cancelledAt = performance.now();
      await elsewhere.cancel("r1", { action: "task.cancelled", actor: "tester", tenant: "" });
      expect(await end).toEqual({ runId: "r1", kind: "cancelled" });
      // Well inside the tool's 10 s: the check saw the cancel and the tool's signal aborted.
      expect(performance.now() - cancelledAt).toBeLessThan(5_000);
      expect(t.calls[0]?.end).toBeUndefined();
      expect((await elsewhere.get("r1"))?.status).toBe("cancelled");
      expect((await elsewhere.load("r1")).map((s) => s.key)).toEqual(["plan"]);
      expect(worker.cancel("r1")).toBe(false);
    } finally {
      await Promise.all([mine.close(), elsewhere.close()]);
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error("condition not met in 2 s");
}
