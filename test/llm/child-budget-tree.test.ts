import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgentRegistry, createRulesModel, defineAgent } from "../../src/agents/index.js";
import type { Plan, Step, Subtask, Task } from "../../src/core/index.js";
import { createEngine, createMemoryJournal, Worker, type ChildBudgeting, type Engine } from "../../src/engine/index.js";
import { createRunAccounting, type RunBudget } from "../../src/llm/index.js";
import type { Planner } from "../../src/planner/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { createToolRegistry, defineTool, ToolExecutor } from "../../src/tools/index.js";
import { scratchDir } from "../support/scratch.js";

// "parent": subtask a makes 2 tool calls, then kid is a child run ("child") whose one subtask
// would make 10. Each worker here is a process of its own: its own engine and accounting.

const sub = (id: string, dependsOn: string[], fields: Partial<Subtask> = {}): Subtask => ({ id, title: id, agent: "worker", instructions: "", dependsOn, tool: "step", input: { id }, ...fields });

function planFor(task: Task): Plan {
  const subtasks = task.description === "parent"
    ? [sub("a", [], { input: { id: "a", times: 2 } }), sub("kid", ["a"], { agent: "run", input: { description: "child" } })]
    : [sub("k", [], { input: { id: "k", times: 10 } })];
  return { source: "test", language: "en", params: {}, subtasks };
}

function process(budget: RunBudget) {
  const calls: string[] = [];
  const step = defineTool({
    name: "step",
    description: "one step",
    input: z.object({ id: z.string(), times: z.number().optional() }),
    output: z.object({ id: z.string() }),
    retry: false,
    handler: (input, ctx) => {
      calls.push(`${ctx.runId} ${input.id}`);
      return Promise.resolve({ id: input.id });
    },
  });
  const agent = defineAgent({
    name: "worker",
    role: "does steps",
    instructions: "",
    tools: ["step"],
    rules: ({ subtask, history }) => {
      const last = history.at(-1);
      if (last?.result.status === "failed") return { type: "fail", error: last.result.error };
      if (history.length < Number(subtask.input["times"] ?? 1)) return { type: "call", tool: "step", input: { id: String(subtask.input["id"]) } };
      return { type: "finish", output: last?.result.output };
    },
  });
  const planner: Planner = { deterministic: true, plan: (task) => Promise.resolve(planFor(task)), decompose: (task) => Promise.resolve(planFor(task).subtasks) };
  const tools = createToolRegistry([step]);
  const accounting = createRunAccounting(budget);
  const model = accounting.model(createRulesModel());
  const inner = createEngine({ planner, agents: createAgentRegistry([agent]), tools, executor: new ToolExecutor({ registry: tools }), model, journal: createMemoryJournal() });
  return { engine: accounting.engine(inner), accounting, calls };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never: ${what}`);
}

describe("a child run within what remains of its parent's budget", () => {
  const stores: SqliteStore[] = [];
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(1_000)));
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it("stops the child with BUDGET_EXCEEDED after N-k tool calls, the remainder read back from the store by another worker", async () => {
    const store = SqliteStore.open(join(scratchDir("cs-agents-child-budget-"), "db.sqlite"));
    stores.push(store);
    const budget: RunBudget = { maxTokens: 0, maxToolCalls: 5, maxMs: 0 };
    // The first process runs only the parent (it never polls), up to its wait for the child.
    const first = process(budget);
    const w1 = new Worker({ store, engine: first.engine, workerId: "w1", concurrency: 1, pollMs: 20, cancelCheckMs: 50 });
    workers.push(w1);
    const { end } = await w1.submitAndRun({ description: "parent" }, { runId: "p1" });
    expect(await end).toMatchObject({ kind: "waiting_children" });
    const [child] = await store.children("p1");
    const childRun = await store.get(child?.id ?? "");
    // 5 - 2: stored with the child, not kept in the first process's memory.
    expect(childRun?.task.budgetLeft).toEqual({ toolCalls: 3 });
    expect(first.calls).toEqual(["p1 a", "p1 a"]);

    // A second process, which never saw the parent run, runs the child and then the parent.
    const second = process(budget);
    const w2 = new Worker({ store, engine: second.engine, workerId: "w2", concurrency: 1, pollMs: 20, cancelCheckMs: 50 });
    workers.push(w2);
    w2.start();
    await until(async () => (await store.get("p1"))?.status === "failed", "the parent failed");
    const childAfter = await store.get(child?.id ?? "");
    expect(childAfter).toMatchObject({ status: "failed", error: { code: "BUDGET_EXCEEDED" } });
    expect(childAfter?.error?.message).toContain("what its parent run had left of its budget, 3");
    expect(second.calls).toEqual([`${childRun?.id} k`, `${childRun?.id} k`, `${childRun?.id} k`]);
    expect((await store.get("p1"))?.error).toMatchObject({ code: "CHILD_RUN_FAILED" });
    const kid = (await store.load("p1")).find((s) => s.key === "subtask/kid/child/0");
    expect(kid).toMatchObject({ kind: "child", status: "failed", output: { spent: { toolCalls: 3, tokens: 0, cost: 0 } } });
    // The parent's own 2 and its child's 3: the whole budget of 5.
    expect(second.accounting.run("p1")).toMatchObject({ toolCalls: 5 });
  });

  it("keeps the child's own budget when it is the smaller", async () => {
    const store = SqliteStore.open(join(scratchDir("cs-agents-child-budget-"), "db.sqlite"));
    stores.push(store);
    const first = process({ maxTokens: 0, maxToolCalls: 8, maxMs: 0 });
    const w1 = new Worker({ store, engine: first.engine, workerId: "w1", concurrency: 1, pollMs: 20, cancelCheckMs: 50 });
    workers.push(w1);
    await (await w1.submitAndRun({ description: "parent" }, { runId: "p2" })).end;
    const [child] = await store.children("p2");
    expect((await store.get(child?.id ?? ""))?.task.budgetLeft).toEqual({ toolCalls: 6 });
    // The process that runs the child is configured with 4: the smaller of 4 and 6.
    const second = process({ maxTokens: 0, maxToolCalls: 4, maxMs: 0 });
    const w2 = new Worker({ store, engine: second.engine, workerId: "w2", concurrency: 1, pollMs: 20, cancelCheckMs: 50 });
    workers.push(w2);
    w2.start();
    await until(async () => (await store.get(child?.id ?? ""))?.status === "failed", "the child failed");
    expect((await store.get(child?.id ?? ""))?.error?.message).toContain("its budget of 4");
    expect(second.calls).toHaveLength(4);
  });
});

describe("cost carried up from child runs", () => {
  const prices = { m: { inputPerMillion: 1_000_000, outputPerMillion: 0 } }; // 1 per input token
  const succeeded = { startedAt: new Date(), finishedAt: new Date() };

  it("prices a finished child's journal, its own children's cost included, and counts it toward the parent's cost budget", async () => {
    const accounting = createRunAccounting({ maxTokens: 0, maxToolCalls: 0, maxMs: 0, maxCost: 10, prices });
    const journal = createMemoryJournal();
    let budgeting: ChildBudgeting | undefined;
    let over: unknown;
    const inner: Engine = {
      execute: (request) => {
        budgeting = request.budgeting;
        // A child that cost 7 finished before this pass: 3 of 10 are left.
        expect(budgeting?.left()).toEqual({ cost: 3 });
        try {
          accounting.onUsage({ purpose: "decide", model: "m", inputTokens: 4, outputTokens: 0, totalTokens: 4 });
        } catch (error) {
          over = error;
        }
        return Promise.resolve({ status: "failed", plan: undefined, error: { code: "X", message: "x" } });
      },
    };
    // The child's journal: its own model call (2 input tokens: cost 2) and its finished child (cost 5).
    const childSteps: Step[] = [
      { runId: "kid", key: "subtask/k/model/0", kind: "model_call", status: "succeeded", input: { model: "m" }, output: { usage: { inputTokens: 2, outputTokens: 0, totalTokens: 2 } }, ...succeeded },
      { runId: "kid", key: "subtask/g/child/0", kind: "child", status: "succeeded", output: { runId: "grandchild", status: "succeeded", spent: { toolCalls: 1, tokens: 5, cost: 5 } }, ...succeeded },
    ];
    const priced = createRunAccounting({ maxTokens: 0, maxToolCalls: 0, maxMs: 0, prices });
    let spent: unknown;
    await priced.engine({ execute: (request) => ((spent = request.budgeting?.childFinished(childSteps)), Promise.resolve({ status: "failed", plan: undefined, error: { code: "X", message: "x" } })) }).execute({ runId: "any", task: { description: "any" } });
    expect(spent).toEqual({ toolCalls: 1, tokens: 7, cost: 7 });

    await journal.record({ runId: "parent", key: "subtask/kid/child/0", kind: "child", status: "succeeded", output: { runId: "kid", status: "succeeded", spent }, ...succeeded });
    await accounting.engine(inner, { journal }).execute({ runId: "parent", task: { description: "parent" } });
    expect(over).toMatchObject({ code: "BUDGET_EXCEEDED", limit: "cost" });
    expect(accounting.run("parent")?.cost).toBe(11);
  });

  it("holds a child to the cost and tokens its parent left, even with no budget of its own", async () => {
    const accounting = createRunAccounting({ maxTokens: 0, maxToolCalls: 0, maxMs: 0, prices });
    const errors: unknown[] = [];
    const inner: Engine = {
      execute: (request) => {
        expect(request.budgeting?.left()).toEqual({ tokens: 10, cost: 2.5 });
        try {
          accounting.onUsage({ purpose: "decide", model: "m", inputTokens: 3, outputTokens: 0, totalTokens: 3 });
        } catch (error) {
          errors.push(error);
        }
        return Promise.resolve({ status: "failed", plan: undefined, error: { code: "X", message: "x" } });
      },
    };
    await accounting.engine(inner).execute({ runId: "kid", task: { description: "child", budgetLeft: { tokens: 10, cost: 2.5 } } });
    expect(errors).toEqual([expect.objectContaining({ code: "BUDGET_EXCEEDED", limit: "cost" })]);
  });
});
