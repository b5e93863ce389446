import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgentRegistry, createRulesModel, defineAgent } from "../../src/agents/index.js";
import type { Plan, RunStatus, Subtask, Task } from "../../src/core/index.js";
import { createEngine, createMemoryJournal, Worker, type EngineEvent } from "../../src/engine/index.js";
import type { Planner } from "../../src/planner/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { createToolRegistry, defineTool, ToolExecutor } from "../../src/tools/index.js";
import { scratchDir } from "../support/scratch.js";

// Plans by task: "parent …" is a → kid (a child run of "child …") → c; "child …" is one subtask
// whose `step` call fails for "child fails" and waits for a gate for "child waits".

const sub = (id: string, dependsOn: string[], fields: Partial<Subtask> = {}): Subtask => ({ id, title: id, agent: "worker", instructions: "", dependsOn, tool: "step", input: { id }, ...fields });

function planFor(task: Task): Plan {
  if (task.description === "delegate") return { source: "test", language: "en", params: {}, subtasks: [sub("d", [], { tool: "delegate", input: { id: "d" } })] };
  const subtasks = task.description.startsWith("parent")
    ? [sub("a", []), sub("kid", ["a"], { agent: "run", input: { description: task.description.replace("parent", "child"), input: { from: "parent" } } }), sub("c", ["kid"])]
    : task.description === "child asks"
      ? [sub("k0", []), sub("k", ["k0"], { input: { id: "k", mode: task.description } })]
      : [sub("k", [], { input: { id: "k", mode: task.description } })];
  return { source: "test", language: "en", params: {}, subtasks };
}

function childEngine() {
  const calls: string[] = [];
  const events: EngineEvent[] = [];
  let open: (() => void) | undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const step = defineTool({
    name: "step",
    description: "one step",
    input: z.object({ id: z.string(), mode: z.string().optional() }),
    output: z.object({ id: z.string(), seat: z.string().optional() }),
    retry: false,
    handler: async (input, ctx) => {
      calls.push(`${ctx.runId} ${input.id}`);
      if (input.mode === "child asks") {
        const { seat } = await ctx.ask({ question: "Which seat?", schema: z.object({ seat: z.string() }) });
        return { id: input.id, seat };
      }
      if (input.mode === "child fails") throw new Error("the child's step broke");
      if (input.mode === "child waits") await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        ctx.signal.addEventListener("abort", () => reject(new Error("aborted")));
      });
      return { id: input.id };
    },
  });
  // Starts a child run from inside a tool, then sends once with what the child made.
  const delegate = defineTool({
    name: "delegate",
    description: "has a child run do the work, then sends its output",
    input: z.object({ id: z.string() }),
    output: z.object({ child: z.string(), got: z.unknown() }),
    retry: false,
    idempotent: false,
    handler: async (input, ctx) => {
      calls.push(`${ctx.runId} ${input.id}`);
      const child = await ctx.runChild({ description: "child from a tool" });
      calls.push(`${ctx.runId} send`);
      return { child: child.runId, got: child.output };
    },
  });
  const agent = defineAgent({
    name: "worker",
    role: "does steps",
    instructions: "",
    tools: ["step", "delegate"],
    rules: ({ subtask, history }) => {
      const last = history.at(-1);
      if (!last) return { type: "call", tool: subtask.tool, input: subtask.input };
      if (last.result.status === "failed") return { type: "fail", error: last.result.error };
      return { type: "finish", output: last.result.output };
    },
  });
  const planner: Planner = { deterministic: true, plan: (task) => Promise.resolve(planFor(task)), decompose: (task) => Promise.resolve(planFor(task).subtasks) };
  const tools = createToolRegistry([step, delegate]);
  const engine = createEngine({ planner, agents: createAgentRegistry([agent]), tools, executor: new ToolExecutor({ registry: tools }), model: createRulesModel(), journal: createMemoryJournal() });
  return { engine, calls, events, onEvent: (e: EngineEvent) => events.push(e), open: () => open?.() };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never: ${what}`);
}

describe("child runs (agent: \"run\")", () => {
  const stores: SqliteStore[] = [];
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop(1_000)));
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  function setUp() {
    const store = SqliteStore.open(join(scratchDir("cs-agents-children-"), "db.sqlite"));
    const t = childEngine();
    // One slot: the child can only run if its parent gave its slot up while it waits.
    const worker = new Worker({ store, engine: t.engine, workerId: "w1", concurrency: 1, pollMs: 20, cancelCheckMs: 50, onEvent: t.onEvent });
    stores.push(store);
    workers.push(worker);
    const statusOf = async (runId: string): Promise<RunStatus | undefined> => (await store.get(runId))?.status;
    return { store, worker, t, statusOf };
  }

  it("runs the child on a one-slot worker while the parent waits without a lease; the child's result is the subtask's", async () => {
    const { store, worker, t, statusOf } = setUp();
    await store.submit({ description: "parent report", tenant: "acme", priority: 7 }, { runId: "p1" });
    worker.start();
    await until(async () => (await statusOf("p1")) === "succeeded", "the parent succeeded");
    const [child] = await store.children("p1");
    expect(child).toMatchObject({ status: "succeeded", subtask: "kid" });
    const childRun = await store.get(child?.id ?? "");
    expect(childRun).toMatchObject({ parent: { runId: "p1", subtask: "kid" }, task: { description: "child report", input: { from: "parent" }, tenant: "acme", priority: 7 } });
    const parent = await store.get("p1");
    // The child's output (its last subtask's) and artifacts are the subtask's result.
    expect(parent?.result?.subtasks["kid"]).toEqual({ subtaskId: "kid", output: { id: "k" }, artifacts: [] });
    expect(t.calls).toEqual(["p1 a", `${child?.id} k`, "p1 c"]);
    const steps = await store.load("p1");
    expect(steps.find((s) => s.key === "subtask/kid/child/0")).toMatchObject({ kind: "child", status: "succeeded", output: { runId: child?.id, status: "succeeded", spent: { toolCalls: 1, tokens: 0 } } });
    // The parent let its one slot go while it waited, and the child held it meanwhile.
    const kinds = worker.ended.map((e) => `${e.runId === "p1" ? "parent" : "child"} ${e.kind}`);
    expect(kinds).toEqual(["parent waiting_children", "child finished", "parent finished"]);
    expect(t.events.filter((e) => e.type.startsWith("child.")).map((e) => e.type)).toEqual(["child.started", "child.finished"]);
  });

  it("fails the subtask, and the run, with CHILD_RUN_FAILED naming the child when the child fails", async () => {
    const { store, worker, statusOf } = setUp();
    await store.submit({ description: "parent fails" }, { runId: "p2" });
    worker.start();
    await until(async () => (await statusOf("p2")) === "failed", "the parent failed");
    const [child] = await store.children("p2");
    expect(child?.status).toBe("failed");
    const parent = await store.get("p2");
    expect(parent?.error).toMatchObject({ code: "CHILD_RUN_FAILED" });
    expect(parent?.error?.message).toContain(`child run ${child?.id ?? "?"} failed`);
    // c never ran.
    expect((await store.load("p2")).some((s) => s.key.startsWith("subtask/c/"))).toBe(false);
  });

  it("cancelling the parent cancels the running child, whose worker stops it", async () => {
    const { store, worker, t, statusOf } = setUp();
    await store.submit({ description: "parent waits" }, { runId: "p3" });
    worker.start();
    let childId = "";
    await until(async () => {
      childId = (await store.children("p3"))[0]?.id ?? "";
      return childId !== "" && (await statusOf(childId)) === "running" && t.calls.some((c) => c.endsWith(" k"));
    }, "the child runs its step");
    expect(await statusOf("p3")).toBe("waiting_children");
    await store.cancel("p3", { action: "task.cancelled", actor: "alice", tenant: "", details: {} });
    expect(await statusOf(childId)).toBe("cancelled");
    await until(async () => worker.ended.some((e) => e.runId === childId && e.kind === "cancelled"), "the child's worker stopped it");
    expect(await statusOf("p3")).toBe("cancelled");
    t.open();
  });

  it("a question asked inside the child waits on the child; once answered, the child goes on where it stopped and the parent finishes", async () => {
    const { store, worker, t, statusOf } = setUp();
    await store.submit({ description: "parent asks" }, { runId: "p4" });
    worker.start();
    let childId = "";
    await until(async () => {
      childId = (await store.children("p4"))[0]?.id ?? "";
      return childId !== "" && (await statusOf(childId)) === "waiting_input";
    }, "the child waits for an answer");
    expect(await statusOf("p4")).toBe("waiting_children");
    await store.answerAudited(childId, "subtask/k/input/0", { seat: "12C" }, { action: "input.answered", actor: "alice", tenant: "", details: {} });
    worker.wake();
    await until(async () => (await statusOf("p4")) === "succeeded", "the parent succeeded");
    expect((await store.get("p4"))?.result?.subtasks["kid"]?.output).toEqual({ id: "k", seat: "12C" });
    // k0 ran once: the child resumed at its question, not from its start; k's handler ran again to take the answer.
    expect(t.calls.filter((c) => c.startsWith(childId))).toEqual([`${childId} k0`, `${childId} k`, `${childId} k`]);
    expect(t.calls.filter((c) => c.startsWith("p4"))).toEqual(["p4 a", "p4 c"]);
  });

  it("refuses a run that took the child's idempotency key without being its child, instead of waiting for it forever", async () => {
    const { store, worker, statusOf } = setUp();
    await store.submit({ description: "parent squatted" }, { runId: "p5" });
    await store.submit({ description: "not a child", idempotencyKey: "child:p5:subtask/kid/child/0" }, { runId: "squatter" });
    worker.start();
    await until(async () => (await statusOf("p5")) === "failed", "the parent failed");
    expect((await store.get("p5"))?.error?.message).toContain("is taken by run squatter");
    expect(await store.children("p5")).toEqual([]);
  });

  it("ctx.runChild: the tool's run waits without a slot while the child runs; the handler, called again, gets the child's output; the child is submitted once", async () => {
    const { store, worker, t, statusOf } = setUp();
    await store.submit({ description: "delegate" }, { runId: "p6" });
    worker.start();
    await until(async () => (await statusOf("p6")) === "succeeded", "the parent succeeded");
    const children = await store.children("p6");
    expect(children).toMatchObject([{ status: "succeeded", subtask: "d" }]);
    const childId = children[0]?.id ?? "";
    expect((await store.get("p6"))?.result?.output).toEqual({ child: childId, got: { id: "k" } });
    // Called twice (stopped at runChild, then again with the child's result); the send after it once.
    expect(t.calls).toEqual(["p6 d", `${childId} k`, "p6 d", "p6 send"]);
    const steps = await store.load("p6");
    expect(steps.find((s) => s.key === "subtask/d/child/0")).toMatchObject({ kind: "child", status: "succeeded", output: { runId: childId, result: { output: { id: "k" } } } });
    expect(steps.find((s) => s.key === "subtask/d/call/0")).toMatchObject({ status: "succeeded" });
    expect(worker.ended.filter((e) => e.runId === "p6").map((e) => e.kind)).toEqual(["waiting_children", "finished"]);
  });

  it("a child subtask fails plainly on an engine with no store for children", async () => {
    const t = childEngine();
    const outcome = await t.engine.execute({ runId: "solo", task: { description: "parent alone" } });
    expect(outcome).toMatchObject({ status: "failed", error: { code: "CHILD_RUNS_UNAVAILABLE" } });
  });
});
