import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgentRegistry, createRulesModel, defineAgent } from "../../src/agents/index.js";
import { wakeTimeOf } from "../../src/core/index.js";
import type { Plan, RunStatus, Task } from "../../src/core/index.js";
import { createEngine, createMemoryJournal, Worker, type EngineEvent } from "../../src/engine/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { createToolRegistry, defineTool, ToolExecutor } from "../../src/tools/index.js";
import { scratchDir } from "../support/scratch.js";
import { fixedPlanner } from "./fixtures.js";

/** One tool call of the timer engine, with when it started (epoch ms). */
interface Call {
  readonly subtask: string;
  readonly at: number;
}

/**
 * An engine whose `step` tool records each call and, given `sleepMs`, asks the run to sleep
 * that long after it returns (`ctx.sleep`); `until` asks with `ctx.sleepUntil`.
 */
function timerEngine(plan: Plan, calls: Call[] = []) {
  const events: EngineEvent[] = [];
  const step = defineTool({
    name: "step",
    description: "does one step, then maybe sleeps",
    input: z.object({ id: z.string(), sleepMs: z.number().optional(), until: z.string().optional() }),
    output: z.object({ id: z.string() }),
    retry: false,
    handler: async (input, ctx) => {
      calls.push({ subtask: input.id, at: Date.now() });
      if (input.sleepMs !== undefined) ctx.sleep(input.sleepMs);
      if (input.until !== undefined) ctx.sleepUntil(new Date(input.until));
      return { id: input.id };
    },
  });
  const agent = defineAgent({
    name: "worker",
    role: "does steps",
    instructions: "",
    tools: ["step"],
    rules: ({ subtask, history }) => {
      const last = history.at(-1);
      if (!last) return { type: "call", tool: "step", input: subtask.input };
      if (last.result.status === "failed") return { type: "fail", error: last.result.error };
      return { type: "finish", output: last.result.output };
    },
  });
  const tools = createToolRegistry([step]);
  const engine = createEngine({
    planner: fixedPlanner(plan, true),
    agents: createAgentRegistry([agent]),
    tools,
    executor: new ToolExecutor({ registry: tools }),
    model: createRulesModel(),
    journal: createMemoryJournal(),
  });
  return { engine, calls, events, onEvent: (e: EngineEvent) => events.push(e) };
}

/** `a` (which sleeps `sleepMs` after its call) then `b`, which depends on it. */
function sleepyPlan(sleep: { sleepMs?: number; until?: string }): Plan {
  return {
    source: "test",
    language: "en",
    params: {},
    subtasks: [
      { id: "a", title: "a", agent: "worker", instructions: "", dependsOn: [], tool: "step", input: { id: "a", ...sleep } },
      { id: "b", title: "b", agent: "worker", instructions: "", dependsOn: ["a"], tool: "step", input: { id: "b" } },
    ],
  };
}

const plainPlan: Plan = {
  source: "test",
  language: "en",
  params: {},
  subtasks: [{ id: "p", title: "p", agent: "worker", instructions: "", dependsOn: [], tool: "step", input: { id: "p" } }],
};

const task: Task = { description: "timers" };

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what}: not within 5 s`);
}

const statusOf = async (store: SqliteStore, runId: string): Promise<RunStatus | undefined> => (await store.get(runId))?.status;

describe("durable timers in the engine", () => {
  it("returns a sleeping outcome after journaling the call, and on a later execute goes on without calling the tool again", async () => {
    const t = timerEngine(sleepyPlan({ sleepMs: 300 }));
    const first = await t.engine.execute({ runId: "r1", task, onEvent: t.onEvent });
    expect(first).toMatchObject({ status: "sleeping", stepKey: "subtask/a/sleep/0" });
    if (first.status !== "sleeping") return;
    expect(t.calls.map((c) => c.subtask)).toEqual(["a"]);
    expect(first.wakeAt).toBeGreaterThanOrEqual((t.calls[0]?.at ?? 0) + 300);
    expect(t.events.map((e) => e.type)).toContain("run.sleeping");

    // Executed again before it is due (a resume, say): it sleeps again until the same time.
    const early = await t.engine.execute({ runId: "r1", task });
    expect(early).toMatchObject({ status: "sleeping", wakeAt: first.wakeAt });
    expect(t.calls.map((c) => c.subtask)).toEqual(["a"]);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, first.wakeAt - Date.now() + 5)));
    const done = await t.engine.execute({ runId: "r1", task, onEvent: t.onEvent });
    expect(done.status).toBe("succeeded");
    expect(t.calls.map((c) => c.subtask)).toEqual(["a", "b"]);
    expect(t.calls[1]?.at).toBeGreaterThanOrEqual(first.wakeAt);
    expect(t.events.map((e) => e.type)).toContain("run.woke");
  });

  it("wakes at once for a sleepUntil already past, and fails the call for a negative sleep", async () => {
    const past = timerEngine(sleepyPlan({ until: new Date(Date.now() - 1_000).toISOString() }));
    expect((await past.engine.execute({ runId: "r1", task })).status).toBe("sleeping");
    expect((await past.engine.execute({ runId: "r1", task })).status).toBe("succeeded");

    const bad = timerEngine(sleepyPlan({ sleepMs: -5 }));
    const outcome = await bad.engine.execute({ runId: "r2", task });
    expect(outcome).toMatchObject({ status: "failed", error: { code: "SLEEP_INVALID" } });
  });
});

describe("durable timers on a worker", () => {
  it("releases the lease and the slot while asleep: a worker with one slot runs another run meanwhile, then wakes the first", async () => {
    const store = SqliteStore.open(join(scratchDir("cs-agents-timers-"), "db.sqlite"));
    const t = timerEngine(sleepyPlan({ sleepMs: 300 }));
    const other = timerEngine(plainPlan, t.calls);
    // One engine per task shape; the worker dispatches by run id.
    const engine = { execute: (request: Parameters<typeof t.engine.execute>[0]) => (request.runId === "r2" ? other.engine : t.engine).execute(request) };
    const worker = new Worker({ store, engine, workerId: "w1", concurrency: 1, pollMs: 20, onEvent: t.onEvent });
    try {
      await store.submit(task, { runId: "r1" });
      await store.submit(task, { runId: "r2" });
      worker.start();
      await until(async () => (await statusOf(store, "r2")) === "succeeded", "r2 finished");
      // r2 ran in the only slot while r1 slept, holding no lease.
      const sleeping = await store.get("r1");
      const wakeStep = (await store.load("r1")).find((s) => s.key === "subtask/a/sleep/0");
      const wakeAt = Date.parse(String((wakeStep?.output as { wakeAt?: string } | undefined)?.wakeAt));
      const r2Call = t.calls.find((c) => c.subtask === "p");
      expect(r2Call?.at).toBeLessThan(wakeAt);
      if (sleeping?.status === "sleeping") expect(worker.activeRuns).not.toContain("r1");

      await until(async () => (await statusOf(store, "r1")) === "succeeded", "r1 woke and finished");
      expect(t.calls.map((c) => c.subtask)).toEqual(["a", "p", "b"]);
      expect(t.calls[2]?.at).toBeGreaterThanOrEqual(wakeAt);
      expect((await store.load("r1")).map((s) => [s.key, s.status])).toEqual([
        ["plan", "succeeded"],
        ["subtask/a/call/0", "succeeded"],
        ["subtask/a/sleep/0", "succeeded"],
        ["subtask/a/done", "succeeded"],
        ["subtask/b/call/0", "succeeded"],
        ["subtask/b/done", "succeeded"],
      ]);
      expect(worker.ended.find((e) => e.runId === "r1")).toMatchObject({ kind: "sleeping", wakeAt });
      expect(t.events.filter((e) => e.type === "run.sleeping" || e.type === "run.woke").map((e) => e.type)).toEqual(["run.sleeping", "run.woke"]);
    } finally {
      await worker.stop(1_000);
      await store.close();
    }
  });

  it("holds no lease row while asleep", async () => {
    const store = SqliteStore.open(":memory:");
    const t = timerEngine(sleepyPlan({ sleepMs: 60_000 }));
    const worker = new Worker({ store, engine: t.engine, workerId: "w1" });
    try {
      await store.submit(task, { runId: "r1" });
      expect(await worker.runOne("r1")).toMatchObject({ runId: "r1", kind: "sleeping" });
      expect(await store.get("r1")).toMatchObject({ status: "sleeping" });
      expect(worker.activeRuns).toEqual([]);
      // Nobody may claim it before it is due, not even a worker that holds nothing.
      expect(await store.claim({ workerId: "w2", leaseMs: 60_000, limit: 5, maxCrashes: 3 })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("wakes a run put to sleep before a restart: a new store and worker over the same file finish it, the slept call not made again", async () => {
    const path = join(scratchDir("cs-agents-timers-"), "db.sqlite");
    const calls: Call[] = [];
    const before = SqliteStore.open(path);
    const first = timerEngine(sleepyPlan({ sleepMs: 300 }), calls);
    const w1 = new Worker({ store: before, engine: first.engine, workerId: "w1" });
    await before.submit(task, { runId: "r1" });
    expect(await w1.runOne("r1")).toMatchObject({ kind: "sleeping" });
    await w1.stop(1_000);
    await before.close();

    const after = SqliteStore.open(path);
    const second = timerEngine(sleepyPlan({ sleepMs: 300 }), calls);
    const w2 = new Worker({ store: after, engine: second.engine, workerId: "w2", pollMs: 20 });
    try {
      w2.start();
      await until(async () => (await statusOf(after, "r1")) === "succeeded", "r1 finished after the restart");
      expect(calls.map((c) => c.subtask)).toEqual(["a", "b"]);
    } finally {
      await w2.stop(1_000);
      await after.close();
    }
  });

  it("cancels a sleeping run at once: it never wakes, and nothing after the timer runs", async () => {
    const store = SqliteStore.open(join(scratchDir("cs-agents-timers-"), "db.sqlite"));
    const t = timerEngine(sleepyPlan({ sleepMs: 200 }));
    const worker = new Worker({ store, engine: t.engine, workerId: "w1", pollMs: 20 });
    try {
      await store.submit(task, { runId: "r1" });
      expect(await worker.runOne("r1")).toMatchObject({ kind: "sleeping" });
      expect(await store.cancel("r1", { action: "task.cancelled", actor: "tester", tenant: "" })).toMatchObject({ cancelled: true, run: { status: "cancelled" } });
      worker.start();
      // Past the wake time, with the worker polling all along.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await statusOf(store, "r1")).toBe("cancelled");
      expect(t.calls.map((c) => c.subtask)).toEqual(["a"]);
    } finally {
      await worker.stop(1_000);
      await store.close();
    }
  });
});

describe("a subtask's notBefore", () => {
  it("is not started before its time: the run sleeps without a lease until then, and other subtasks run meanwhile", async () => {
    const store = SqliteStore.open(join(scratchDir("cs-agents-timers-"), "db.sqlite"));
    const notBefore = new Date(Date.now() + 300).toISOString();
    const plan: Plan = {
      source: "test",
      language: "en",
      params: {},
      subtasks: [
        { id: "now", title: "now", agent: "worker", instructions: "", dependsOn: [], tool: "step", input: { id: "now" } },
        { id: "later", title: "later", agent: "worker", instructions: "", dependsOn: [], tool: "step", input: { id: "later" }, notBefore },
      ],
    };
    const t = timerEngine(plan);
    const worker = new Worker({ store, engine: t.engine, workerId: "w1", pollMs: 20 });
    try {
      await store.submit(task, { runId: "r1" });
      expect(await worker.runOne("r1")).toMatchObject({ kind: "sleeping", wakeAt: Date.parse(notBefore) });
      expect(t.calls.map((c) => c.subtask)).toEqual(["now"]);
      expect(await store.get("r1")).toMatchObject({ status: "sleeping" });
      worker.start();
      await until(async () => (await statusOf(store, "r1")) === "succeeded", "r1 finished");
      expect(t.calls.map((c) => c.subtask)).toEqual(["now", "later"]);
      expect(t.calls[1]?.at).toBeGreaterThanOrEqual(Date.parse(notBefore));
    } finally {
      await worker.stop(1_000);
      await store.close();
    }
  });

  it("is refused when it is not an ISO time with a zone: the plan fails validation", async () => {
    const plan: Plan = { ...plainPlan, subtasks: plainPlan.subtasks.map((s) => ({ ...s, notBefore: "next tuesday" })) };
    const outcome = await timerEngine(plan).engine.execute({ runId: "r1", task });
    expect(outcome).toMatchObject({ status: "failed", error: { code: "PLAN_INVALID", message: expect.stringContaining("notBefore must be an ISO 8601 time") } });
  });
});

describe("a subtask's delayMs", () => {
  /** `now` at once, `later` not before `delayMs` after the run started. */
  const delayedPlan = (delayMs: number, notBefore?: string, nowSleepMs?: number): Plan => ({
    source: "test",
    language: "en",
    params: {},
    subtasks: [
      { id: "now", title: "now", agent: "worker", instructions: "", dependsOn: [], tool: "step", input: { id: "now", ...(nowSleepMs === undefined ? {} : { sleepMs: nowSleepMs }) } },
      { id: "later", title: "later", agent: "worker", instructions: "", dependsOn: [], tool: "step", input: { id: "later" }, delayMs, ...(notBefore ? { notBefore } : {}) },
    ],
  });

  it("sleeps until that long after the run started; a restart over the same file keeps the due time", async () => {
    const file = join(scratchDir("cs-agents-delay-"), "db.sqlite");
    const delayMs = 1_500;
    // `now` sets a 100 ms timer, so a worker of the next process executes the run again long
    // before `later` is due, and must find the same due time.
    const plan = delayedPlan(delayMs, undefined, 100);
    const calls: Call[] = [];
    let store = SqliteStore.open(file);
    const first = new Worker({ store, engine: timerEngine(plan, calls).engine, workerId: "w1", pollMs: 20 });
    await store.submit(task, { runId: "r1" });
    expect(await first.runOne("r1")).toMatchObject({ kind: "sleeping" });
    const planStartedAt = (await store.load("r1")).find((s) => s.key === "plan")?.startedAt.getTime() ?? 0;
    expect(planStartedAt).toBeGreaterThan(0);
    const due = planStartedAt + delayMs;
    expect(calls.map((c) => c.subtask)).toEqual(["now"]);
    await first.stop(1_000);
    await store.close();

    // A new process over the same file, after `now`'s timer: the delay still counts from the run's start.
    await new Promise((resolve) => setTimeout(resolve, 250));
    store = SqliteStore.open(file);
    const asleep: number[] = [];
    const onEvent = (e: EngineEvent) => {
      if (e.type === "run.sleeping") asleep.push(e.wakeAt);
    };
    const second = new Worker({ store, engine: timerEngine(plan, calls).engine, workerId: "w2", pollMs: 20, onEvent });
    try {
      second.start();
      await until(() => asleep.length > 0, "r1 executed again after the restart");
      expect(asleep[0]).toBe(due);
      expect(calls.map((c) => c.subtask)).toEqual(["now"]);
      await until(async () => (await statusOf(store, "r1")) !== "running", "r1 asleep again");
      const run = await store.get("r1");
      if (run?.status === "sleeping") expect(wakeTimeOf(await store.load("r1"), run.plan?.subtasks ?? [])?.getTime()).toBe(due);
      await until(async () => (await statusOf(store, "r1")) === "succeeded", "r1 finished");
      expect(calls.map((c) => c.subtask)).toEqual(["now", "later"]);
      expect(calls[1]?.at).toBeGreaterThanOrEqual(due);
    } finally {
      await second.stop(1_000);
      await store.close();
    }
  });

  it("with notBefore too, waits for the later of the two", async () => {
    const t = timerEngine(delayedPlan(50, new Date(Date.now() + 60_000).toISOString()));
    const outcome = await t.engine.execute({ runId: "r1", task });
    expect(outcome).toMatchObject({ status: "sleeping", stepKey: "subtask/later/not-before" });
    expect(outcome.status === "sleeping" ? outcome.wakeAt : 0).toBeGreaterThan(Date.now() + 50_000);
  });

  it("is refused unless a whole number of milliseconds from 0 to 366 days: the plan fails validation", async () => {
    for (const delayMs of [-1, 1.5, 366 * 24 * 60 * 60 * 1_000 + 1]) {
      const outcome = await timerEngine(delayedPlan(delayMs)).engine.execute({ runId: "r1", task });
      expect(outcome).toMatchObject({ status: "failed", error: { code: "PLAN_INVALID", message: expect.stringContaining("delayMs must be a whole number of milliseconds from 0 to 31622400000") } });
    }
    const zero = await timerEngine(delayedPlan(0)).engine.execute({ runId: "r1", task });
    expect(zero.status).toBe("succeeded");
  });
});
