import { describe, expect, it } from "vitest";
import { createRulesModel, type AgentModel } from "../../src/agents/index.js";
import { JournalError } from "../../src/core/index.js";
import { createMemoryJournal, type Journal } from "../../src/engine/index.js";
import { planOf, testEngine } from "./fixtures.js";

describe("engine", () => {
  it("runs independent subtasks at the same time", async () => {
    const t = testEngine({ plan: planOf({ a: [], b: [], c: [] }), delayMs: 60 });
    const outcome = await t.engine.execute({ runId: "r1", task: t.task, onEvent: t.onEvent });
    expect(outcome.status).toBe("succeeded");
    const [a, b, c] = ["a", "b", "c"].map((id) => t.calls.find((x) => x.id === id));
    // Every pair overlaps: each started before the other ended.
    for (const [x, y] of [[a, b], [a, c], [b, c]] as const) {
      expect(x && y && x.start < (y.end ?? 0) && y.start < (x.end ?? 0)).toBe(true);
    }
  });

  it("never runs more subtasks at once than maxConcurrency", async () => {
    const t = testEngine({ plan: planOf({ a: [], b: [], c: [], d: [] }), delayMs: 30, maxConcurrency: 2 });
    await t.engine.execute({ runId: "r1", task: t.task });
    expect(t.calls).toHaveLength(4);
    expect(t.load.max).toBe(2);
  });

  it("starts a subtask only after its dependencies and hands it their outputs", async () => {
    const t = testEngine({ plan: planOf({ a: [], b: [], c: ["a", "b"] }), delayMs: 10 });
    const outcome = await t.engine.execute({ runId: "r1", task: t.task });
    const c = t.calls.find((x) => x.id === "c");
    const ends = t.calls.filter((x) => x.id !== "c").map((x) => x.end ?? Infinity);
    expect(c && c.start >= Math.max(...ends)).toBe(true);
    expect(c?.deps).toEqual({ a: { id: "a", seen: [] }, b: { id: "b", seen: [] } });
    expect(outcome.status === "succeeded" && outcome.result.output).toEqual({ id: "c", seen: ["a", "b"] });
    expect(outcome.status === "succeeded" && outcome.result.artifacts.map((a) => a.name)).toEqual(["a.txt", "b.txt", "c.txt"]);
  });

  it("fails the run with the subtask's reason and cancels what has not started", async () => {
    const t = testEngine({ plan: planOf({ a: [], b: ["a"], c: ["b"], d: [] }), failIds: ["a"], delayMs: 5 });
    const outcome = await t.engine.execute({ runId: "r1", task: t.task, onEvent: t.onEvent });
    expect(outcome.status).toBe("failed");
    expect(outcome.status === "failed" && outcome.error.message).toMatch(/subtask "a" failed: work a broke/);
    expect(t.calls.map((c) => c.id).sort()).toEqual(["a", "d"]);
    const cancelled = t.events.filter((e) => e.type === "subtask.cancelled").map((e) => ("subtaskId" in e ? e.subtaskId : ""));
    expect(cancelled.sort()).toEqual(["b", "c"]);
    expect(t.events.at(-1)).toMatchObject({ type: "run.finished", status: "failed" });
  });

  it("cancels through the AbortSignal: running tools see the abort and the run ends cancelled", async () => {
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), delayMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    const outcome = await t.engine.execute({ runId: "r1", task: t.task, signal: controller.signal });
    expect(outcome.status).toBe("cancelled");
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(t.calls.map((c) => c.id)).toEqual(["a"]);
  });

  it("emits typed events with timings in order", async () => {
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }) });
    await t.engine.execute({ runId: "r1", task: t.task, onEvent: t.onEvent });
    expect(t.events.map((e) => e.type)).toEqual([
      "run.started",
      "plan.created",
      "subtask.started",
      "tool.started",
      "tool.finished",
      "subtask.finished",
      "subtask.started",
      "tool.started",
      "tool.finished",
      "subtask.finished",
      "run.finished",
    ]);
    for (const e of t.events) if ("durationMs" in e) expect(e.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("replays recorded steps from the journal instead of calling tools again", async () => {
    const journal = createMemoryJournal();
    const first = testEngine({ plan: planOf({ a: [], b: ["a"] }), journal });
    const firstOutcome = await first.engine.execute({ runId: "r1", task: first.task });
    const second = testEngine({ plan: planOf({ a: [], b: ["a"] }), journal });
    const secondOutcome = await second.engine.execute({ runId: "r1", task: second.task, onEvent: second.onEvent });
    expect(second.calls).toHaveLength(0);
    expect(secondOutcome).toEqual(firstOutcome);
    expect(second.events.filter((e) => e.type === "subtask.finished").every((e) => "replayed" in e && e.replayed)).toBe(true);
  });

  it("journals each tool result before the next subtask starts", async () => {
    const journal = createMemoryJournal();
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), journal });
    const seen: string[][] = [];
    await t.engine.execute({
      runId: "r1",
      task: t.task,
      onEvent: (e) => {
        if (e.type === "subtask.started") void journal.load("r1").then((steps) => seen.push(steps.map((s) => `${s.key}:${s.status}`)));
      },
    });
    expect(seen[1]).toEqual(expect.arrayContaining(["subtask/a/call/0:succeeded", "subtask/a/done:succeeded"]));
  });

  it("fails a run whose plan names an unknown agent, without running anything", async () => {
    const plan = planOf({ a: [] });
    const t = testEngine({ plan: { ...plan, subtasks: plan.subtasks.map((s) => ({ ...s, agent: "ghost" })) } });
    const outcome = await t.engine.execute({ runId: "r1", task: t.task });
    expect(outcome.status === "failed" && outcome.error.code).toBe("PLAN_INVALID");
    expect(t.calls).toHaveLength(0);
  });

  it("records a started intent before calling a non-idempotent tool, and never for an idempotent one", async () => {
    for (const idempotent of [false, true]) {
      const journal = createMemoryJournal();
      const recorded: string[] = [];
      const spy = { record: (step: Parameters<typeof journal.record>[0]) => (recorded.push(`${step.key}:${step.status}`), journal.record(step)), load: journal.load };
      const t = testEngine({ plan: planOf({ a: [] }), journal: spy, idempotent });
      await t.engine.execute({ runId: "r1", task: t.task });
      const intents = recorded.filter((r) => r === "subtask/a/call/0:started");
      expect(intents).toHaveLength(idempotent ? 0 : 1);
    }
  });

  it("marks a non-idempotent call cut off mid-call ambiguous and waits, without calling it again", async () => {
    const journal = createMemoryJournal();
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), journal, idempotent: false });
    await journal.record({ runId: "r1", key: "plan", kind: "plan", status: "succeeded", output: planOf({ a: [], b: ["a"] }), startedAt: new Date() });
    await journal.record({ runId: "r1", key: "subtask/a/call/0", kind: "tool_call", status: "started", input: { tool: "work", input: { id: "a" } }, startedAt: new Date() });
    const outcome = await t.engine.execute({ runId: "r1", task: t.task });
    expect(outcome).toMatchObject({ status: "waiting_approval", stepKey: "subtask/a/call/0", error: { code: "STEP_AMBIGUOUS" } });
    expect(t.calls).toHaveLength(0);
    const steps = await journal.load("r1");
    expect(steps.find((s) => s.key === "subtask/a/call/0")?.status).toBe("ambiguous");
    const again = await t.engine.execute({ runId: "r1", task: t.task });
    expect(again.status).toBe("waiting_approval");
    expect(t.calls).toHaveLength(0);
  });

  it("commits an idempotent call with its subtask's done in one write when a deterministic model decides", async () => {
    const inner = createMemoryJournal();
    const writes: string[][] = [];
    const journal: Journal = {
      record: (step) => (writes.push([step.key]), inner.record(step)),
      recordAll: (steps) => (writes.push(steps.map((s) => s.key)), inner.recordAll?.(steps) ?? Promise.resolve()),
      load: (runId) => inner.load(runId),
    };
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), journal });
    expect((await t.engine.execute({ runId: "r1", task: t.task })).status).toBe("succeeded");
    expect(writes).toEqual([["plan"], ["subtask/a/call/0", "subtask/a/done"], ["subtask/b/call/0", "subtask/b/done"]]);
  });

  it("commits a deterministic planner's plan with the first step, and plans again the same after a crash before it", async () => {
    const inner = createMemoryJournal();
    const writes: string[][] = [];
    let crash = true;
    const journal: Journal = {
      record: (step) => (writes.push([step.key]), inner.record(step)),
      recordAll: async (steps) => {
        writes.push(steps.map((s) => s.key));
        // The process dies at its first commit: nothing of the run is durable.
        if (crash) throw new JournalError("JOURNAL_UNAVAILABLE", "the disk went away");
        await inner.recordAll?.(steps);
      },
      load: (runId) => inner.load(runId),
    };
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), journal, deterministicPlanner: true });
    await expect(t.engine.execute({ runId: "r1", task: t.task })).rejects.toMatchObject({ code: "JOURNAL_UNAVAILABLE" });
    expect(await inner.load("r1")).toEqual([]);
    crash = false;
    writes.length = 0;
    expect((await t.engine.execute({ runId: "r1", task: t.task })).status).toBe("succeeded");
    expect(writes).toEqual([["plan", "subtask/a/call/0", "subtask/a/done"], ["subtask/b/call/0", "subtask/b/done"]]);
    expect((await inner.load("r1")).find((s) => s.key === "plan")?.output).toEqual(planOf({ a: [], b: ["a"] }));
  });

  describe("a journal that commits the run's last steps with its outcome", () => {
    const finishing = () => {
      const inner = createMemoryJournal();
      const writes: string[][] = [];
      const finished: { keys: string[]; status: string }[] = [];
      const journal: Journal = {
        record: (step) => (writes.push([step.key]), inner.record(step)),
        recordAll: (steps) => (writes.push(steps.map((s) => s.key)), inner.recordAll?.(steps) ?? Promise.resolve()),
        finish: async (steps, outcome) => {
          finished.push({ keys: steps.map((s) => s.key), status: outcome.status });
          await inner.recordAll?.(steps);
        },
        load: (runId) => inner.load(runId),
      };
      return { inner, writes, finished, journal };
    };

    it("hands it the last subtask's closing steps with the outcome: one commit fewer per run", async () => {
      const j = finishing();
      const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), journal: j.journal, deterministicPlanner: true });
      const outcome = await t.engine.execute({ runId: "r1", task: t.task });
      expect(outcome.status === "succeeded" && outcome.result.output).toEqual({ id: "b", seen: ["a"] });
      expect(j.writes).toEqual([["plan", "subtask/a/call/0", "subtask/a/done"]]);
      expect(j.finished).toEqual([{ keys: ["subtask/b/call/0", "subtask/b/done"], status: "succeeded" }]);
    });

    it("folds the plan in too when the run has one subtask, and hands over a failure the same way", async () => {
      const j = finishing();
      const t = testEngine({ plan: planOf({ a: [] }), journal: j.journal, deterministicPlanner: true, failIds: ["a"] });
      expect((await t.engine.execute({ runId: "r1", task: t.task })).status).toBe("failed");
      expect(j.writes).toEqual([]);
      expect(j.finished).toEqual([{ keys: ["plan", "subtask/a/call/0", "subtask/a/done"], status: "failed" }]);
    });

    it("holds back only a subtask that ends the run: a fan-in's join, never one of its branches", async () => {
      const j = finishing();
      const t = testEngine({ plan: planOf({ a: [], b: ["a"], c: ["a"], d: ["b", "c"] }), journal: j.journal });
      expect((await t.engine.execute({ runId: "r1", task: t.task })).status).toBe("succeeded");
      expect(j.writes.flat().filter((k) => k.endsWith("/done")).sort()).toEqual(["subtask/a/done", "subtask/b/done", "subtask/c/done"]);
      expect(j.finished).toEqual([{ keys: ["subtask/d/call/0", "subtask/d/done"], status: "succeeded" }]);
    });

    it("records the last subtask's steps when the run is cancelled after it finished", async () => {
      const j = finishing();
      const controller = new AbortController();
      const t = testEngine({ plan: planOf({ a: [] }), journal: j.journal });
      const onEvent = (event: { type: string }) => {
        if (event.type === "subtask.finished") controller.abort();
      };
      expect((await t.engine.execute({ runId: "r1", task: t.task, signal: controller.signal, onEvent })).status).toBe("cancelled");
      expect(j.finished).toEqual([]);
      expect((await j.inner.load("r1")).map((s) => s.key)).toEqual(["plan", "subtask/a/call/0", "subtask/a/done"]);
    });

    it("fails the run's execution when that commit fails, as any journal failure", async () => {
      const j = finishing();
      const journal: Journal = { ...j.journal, finish: () => Promise.reject(new JournalError("LEASE_LOST", "another worker holds run r1")) };
      const t = testEngine({ plan: planOf({ a: [] }), journal });
      await expect(t.engine.execute({ runId: "r1", task: t.task })).rejects.toMatchObject({ code: "LEASE_LOST" });
      expect((await j.inner.load("r1")).map((s) => s.key)).toEqual(["plan"]);
    });
  });

  it("writes each call on its own when the tool is not idempotent or the model is not deterministic", async () => {
    const keysOf = async (options: { idempotent?: boolean; model?: AgentModel }) => {
      const inner = createMemoryJournal();
      const writes: string[][] = [];
      const journal: Journal = {
        record: (step) => (writes.push([`${step.key}:${step.status}`]), inner.record(step)),
        recordAll: (steps) => (writes.push(steps.map((s) => `${s.key}:${s.status}`)), inner.recordAll?.(steps) ?? Promise.resolve()),
        load: (runId) => inner.load(runId),
      };
      const t = testEngine({ plan: planOf({ a: [] }), journal, ...options });
      expect((await t.engine.execute({ runId: "r1", task: t.task })).status).toBe("succeeded");
      return writes;
    };
    expect(await keysOf({ idempotent: false })).toEqual([["plan:succeeded"], ["subtask/a/call/0:started"], ["subtask/a/call/0:succeeded"], ["subtask/a/done:succeeded"]]);
    const rules = createRulesModel();
    const llmLike: AgentModel = { name: "scripted", deterministic: false, decide: (context) => rules.decide(context) };
    expect((await keysOf({ model: llmLike })).map((w) => w[0])).toEqual([
      "plan:succeeded",
      "subtask/a/model/0:succeeded",
      "subtask/a/call/0:succeeded",
      "subtask/a/model/1:succeeded",
      "subtask/a/done:succeeded",
    ]);
  });

  it("keeps only the newest runs in a bounded memory journal", async () => {
    const journal = createMemoryJournal({ maxRuns: 2 });
    const t = testEngine({ plan: planOf({ a: [] }), journal });
    for (const runId of ["r1", "r2", "r3"]) await t.engine.execute({ runId, task: t.task });
    expect(await journal.load("r1")).toEqual([]);
    expect((await journal.load("r2")).length).toBe(3);
    expect((await journal.load("r3")).map((s) => s.key)).toEqual(["plan", "subtask/a/call/0", "subtask/a/done"]);
    // Writing to a kept run does not make it newer; the next new run drops the oldest.
    await journal.record({ runId: "r2", key: "late", kind: "tool_call", status: "succeeded", startedAt: new Date() });
    await t.engine.execute({ runId: "r4", task: t.task });
    expect(await journal.load("r2")).toEqual([]);
    expect((await journal.load("r3")).length).toBe(3);
    expect((await journal.load("r4")).length).toBe(3);
  });

  it("journals nothing for a call or subtask cut short by cancellation, so a resume does the work", async () => {
    const journal = createMemoryJournal();
    const t = testEngine({ plan: planOf({ a: [] }), delayMs: 5_000, journal });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    expect((await t.engine.execute({ runId: "r1", task: t.task, signal: controller.signal })).status).toBe("cancelled");
    expect((await journal.load("r1")).map((s) => s.key)).toEqual(["plan"]);
    const resumed = testEngine({ plan: planOf({ a: [] }), journal });
    expect((await resumed.engine.execute({ runId: "r1", task: resumed.task })).status).toBe("succeeded");
  });

  it("journals the decisions of a non-deterministic model and replays them without asking it again", async () => {
    const rules = createRulesModel();
    let asked = 0;
    const model = { name: "scripted-llm", deterministic: false, decide: (ctx: Parameters<typeof rules.decide>[0]) => (asked++, rules.decide(ctx)) };
    const journal = createMemoryJournal();
    const first = testEngine({ plan: planOf({ a: [], b: ["a"] }), journal, model });
    const outcome = await first.engine.execute({ runId: "r1", task: first.task });
    expect(asked).toBe(4);
    expect((await journal.load("r1")).filter((s) => s.kind === "model_call").map((s) => s.key)).toEqual([
      "subtask/a/model/0",
      "subtask/a/model/1",
      "subtask/b/model/0",
      "subtask/b/model/1",
    ]);
    // Forget b's outcome but keep its calls and decisions: replay must not ask the model.
    const kept = createMemoryJournal();
    for (const step of await journal.load("r1")) if (step.key !== "subtask/b/done") await kept.record(step);
    asked = 0;
    const second = testEngine({ plan: planOf({ a: [], b: ["a"] }), journal: kept, model });
    expect(await second.engine.execute({ runId: "r1", task: second.task })).toEqual(outcome);
    expect(asked).toBe(0);
    expect(second.calls).toHaveLength(0);
  });

  describe("sensitive tools", () => {
    const approvalKey = "subtask/a/approval/0";
    async function waitingRun() {
      const journal = createMemoryJournal();
      const t = testEngine({ plan: planOf({ a: [] }), journal, sensitive: true });
      const outcome = await t.engine.execute({ runId: "r1", task: t.task });
      return { journal, t, outcome };
    }
    const settle = async (journal: ReturnType<typeof createMemoryJournal>, change: Record<string, unknown>) => {
      const step = (await journal.load("r1")).find((s) => s.key === approvalKey);
      if (!step) throw new Error("no approval step");
      await journal.record({ ...step, ...change } as typeof step);
    };

    it("waits for an approval bound to the arguments, without calling the tool", async () => {
      const { journal, t, outcome } = await waitingRun();
      expect(outcome).toMatchObject({ status: "waiting_approval", stepKey: approvalKey, error: { code: "APPROVAL_REQUIRED" } });
      expect(t.calls).toHaveLength(0);
      const step = (await journal.load("r1")).find((s) => s.key === approvalKey);
      expect(step).toMatchObject({ kind: "approval", status: "ambiguous", input: { tool: "work", input: { id: "a" } } });
      expect((step?.input as { argsHash: string }).argsHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it("calls the tool once approved", async () => {
      const { journal } = await waitingRun();
      await settle(journal, { status: "succeeded", output: { approved: true } });
      const again = testEngine({ plan: planOf({ a: [] }), journal, sensitive: true });
      expect((await again.engine.execute({ runId: "r1", task: again.task })).status).toBe("succeeded");
      expect(again.calls).toHaveLength(1);
    });

    it("fails the call when denied", async () => {
      const { journal } = await waitingRun();
      await settle(journal, { status: "failed", error: { code: "DECIDED_FAILED", message: "not today" } });
      const again = testEngine({ plan: planOf({ a: [] }), journal, sensitive: true });
      const outcome = await again.engine.execute({ runId: "r1", task: again.task });
      expect(outcome).toMatchObject({ status: "failed", error: { code: "APPROVAL_DENIED" } });
      expect(again.calls).toHaveLength(0);
    });

    it("rejects an approval given for other arguments", async () => {
      const { journal } = await waitingRun();
      await settle(journal, { status: "succeeded", output: { approved: true }, input: { tool: "work", input: { id: "a" }, argsHash: "0".repeat(64) } });
      const again = testEngine({ plan: planOf({ a: [] }), journal, sensitive: true });
      expect(await again.engine.execute({ runId: "r1", task: again.task })).toMatchObject({ status: "failed", error: { code: "APPROVAL_MISMATCH" } });
      expect(again.calls).toHaveLength(0);
    });
  });

  it("audits sensitive calls, refused calls and model outputs", async () => {
    const entries: { action: string; details?: Readonly<Record<string, unknown>> }[] = [];
    const audit = { append: async (draft: { action: string; details?: Readonly<Record<string, unknown>> }) => void entries.push(draft) };
    const rules = createRulesModel();
    let turn = 0;
    const model = {
      name: "scripted-llm",
      deterministic: false,
      decide: async (ctx: Parameters<typeof rules.decide>[0]) =>
        turn++ === 0 ? ({ type: "call", tool: "shell.exec", input: { cmd: "rm -rf /" } } as const) : rules.decide({ ...ctx, history: ctx.history.slice(1) }),
    };
    const journal = createMemoryJournal();
    const t = testEngine({ plan: planOf({ a: [] }), journal, model, sensitive: true });
    await t.engine.execute({ runId: "r1", task: t.task, audit });
    const approval = (await journal.load("r1")).find((s) => s.kind === "approval");
    if (approval) await journal.record({ ...approval, status: "succeeded", output: { approved: true } });
    const again = testEngine({ plan: planOf({ a: [] }), journal, model, sensitive: true });
    expect((await again.engine.execute({ runId: "r1", task: again.task, audit })).status).toBe("succeeded");
    // The refusal is seen again when the recorded decision is replayed: it is audited each time.
    expect(entries.map((e) => e.action)).toEqual(["model.output", "tool.refused", "model.output", "tool.refused", "tool.sensitive_call", "model.output"]);
    expect(entries[1]?.details).toMatchObject({ tool: "shell.exec", input: { cmd: "rm -rf /" } });
    expect(entries[4]?.details).toMatchObject({ tool: "work", input: { id: "a" }, status: "success" });
  });
});
