import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgentRegistry, createRulesModel, defineAgent } from "../../src/agents/index.js";
import type { Plan, RunStatus, Task } from "../../src/core/index.js";
import { createEngine, createMemoryJournal, Worker, type EngineEvent } from "../../src/engine/index.js";
import { PostgresStore, SqliteStore } from "../../src/store/index.js";
import { createToolRegistry, defineTool, ToolExecutor } from "../../src/tools/index.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { scratchDir } from "../support/scratch.js";
import { fixedPlanner } from "./fixtures.js";

/** What the booking tool did: how often its handler ran and the seats it booked (its side effect). */
interface Ledger {
  handlerCalls: number;
  booked: string[];
}

/**
 * An engine whose `book` tool (not idempotent) asks which seat, then books it: the booking is
 * the side effect, made after the question. `timeoutMs` in the input asks with a default.
 */
function inputEngine(plan: Plan, ledger: Ledger = { handlerCalls: 0, booked: [] }) {
  const events: EngineEvent[] = [];
  const book = defineTool({
    name: "book",
    description: "asks a person which seat, then books it",
    input: z.object({ flight: z.string(), timeoutMs: z.number().optional(), badAsk: z.boolean().optional() }),
    output: z.object({ flight: z.string(), seat: z.string() }),
    idempotent: false,
    retry: false,
    handler: async (input, ctx) => {
      ledger.handlerCalls += 1;
      const schema = z.object({ seat: z.string().regex(/^\d{1,2}[A-F]$/) });
      const answer = input.badAsk
        ? await ctx.ask({ question: "Which seat?", schema, timeoutMs: 100 })
        : await ctx.ask(input.timeoutMs === undefined ? { question: `Which seat on ${input.flight}?`, schema } : { question: `Which seat on ${input.flight}?`, schema, timeoutMs: input.timeoutMs, defaultAnswer: { seat: "1A" } });
      ledger.booked.push(answer.seat);
      return { flight: input.flight, seat: answer.seat };
    },
  });
  const agent = defineAgent({
    name: "clerk",
    role: "books seats",
    instructions: "",
    tools: ["book"],
    rules: ({ subtask, history }) => {
      const last = history.at(-1);
      if (!last) return { type: "call", tool: "book", input: subtask.input };
      if (last.result.status === "failed") return { type: "fail", error: last.result.error };
      return { type: "finish", output: last.result.output };
    },
  });
  const tools = createToolRegistry([book]);
  const engine = createEngine({
    planner: fixedPlanner(plan, true),
    agents: createAgentRegistry([agent]),
    tools,
    executor: new ToolExecutor({ registry: tools }),
    model: createRulesModel(),
    journal: createMemoryJournal(),
  });
  return { engine, ledger, events, onEvent: (e: EngineEvent) => events.push(e) };
}

function bookingPlan(input: Record<string, unknown> = {}): Plan {
  return {
    source: "test",
    language: "en",
    params: {},
    subtasks: [{ id: "seat", title: "seat", agent: "clerk", instructions: "", dependsOn: [], tool: "book", input: { flight: "CA981", ...input } }],
  };
}

const task: Task = { description: "book a seat" };
const QUESTION = "subtask/seat/input/0";
const audit = (actor: string) => ({ action: "input.answered", actor, tenant: "" });

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what}: not within 5 s`);
}

const statusOf = async (store: SqliteStore, runId: string): Promise<RunStatus | undefined> => (await store.get(runId))?.status;

describe("human input in the engine", () => {
  it("asks, waits in waiting_input without a lease, and once answered books the answered seat exactly once", async () => {
    const store = SqliteStore.open(join(scratchDir("cs-agents-input-"), "db.sqlite"));
    const t = inputEngine(bookingPlan());
    const worker = new Worker({ store, engine: t.engine, workerId: "w1", onEvent: t.onEvent });
    try {
      await store.submit(task, { runId: "r1" });
      expect(await worker.runOne("r1")).toMatchObject({ runId: "r1", kind: "waiting_input", wakeAt: undefined });
      expect(await store.get("r1")).toMatchObject({ status: "waiting_input" });
      expect(worker.activeRuns).toEqual([]);
      // Waiting holds no lease: nobody may claim it until it has an answer.
      expect(await store.claim({ workerId: "w2", leaseMs: 60_000, limit: 5, maxCrashes: 3 })).toEqual([]);
      const question = (await store.load("r1")).find((s) => s.key === QUESTION);
      expect(question).toMatchObject({ kind: "input", status: "started", input: { tool: "book", question: "Which seat on CA981?", schema: { type: "object", required: ["seat"] } } });
      expect(t.ledger.booked).toEqual([]);
      expect(t.events.find((e) => e.type === "run.waiting_input")).toMatchObject({ stepKey: QUESTION, question: "Which seat on CA981?" });

      await store.answerAudited("r1", QUESTION, { seat: "32C" }, audit("alice"));
      expect(await store.get("r1")).toMatchObject({ status: "queued" });
      expect(await worker.runOne("r1")).toMatchObject({ kind: "finished", outcome: { status: "succeeded", result: { output: { flight: "CA981", seat: "32C" } } } });
      expect(t.ledger.booked).toEqual(["32C"]);
      expect((await store.load("r1")).map((s) => [s.key, s.status])).toEqual([
        ["plan", "succeeded"],
        ["subtask/seat/call/0", "succeeded"],
        [QUESTION, "succeeded"],
        ["subtask/seat/done", "succeeded"],
      ]);
      expect((await store.listAudit()).map((e) => [e.action, e.actor])).toContainEqual(["input.answered", "alice"]);
    } finally {
      await worker.stop(1_000);
      await store.close();
    }
  });

  it("survives a restart while waiting: a new store and worker over the same file take the answer and the booking happens once", async () => {
    const path = join(scratchDir("cs-agents-input-"), "db.sqlite");
    const ledger: Ledger = { handlerCalls: 0, booked: [] };
    const before = SqliteStore.open(path);
    const w1 = new Worker({ store: before, engine: inputEngine(bookingPlan(), ledger).engine, workerId: "w1" });
    await before.submit(task, { runId: "r1" });
    expect(await w1.runOne("r1")).toMatchObject({ kind: "waiting_input" });
    await w1.stop(1_000);
    await before.close();

    const after = SqliteStore.open(path);
    const w2 = new Worker({ store: after, engine: inputEngine(bookingPlan(), ledger).engine, workerId: "w2", pollMs: 20 });
    try {
      w2.start();
      // Polling while the question is open claims nothing and calls nothing.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await statusOf(after, "r1")).toBe("waiting_input");
      expect(ledger.handlerCalls).toBe(1);
      await after.answerAudited("r1", QUESTION, { seat: "7F" }, audit("bob"));
      w2.wake();
      await until(async () => (await statusOf(after, "r1")) === "succeeded", "r1 finished after the restart");
      expect(ledger.booked).toEqual(["7F"]);
      expect(ledger.handlerCalls).toBe(2);
      // Resumed again after it finished: the recorded call is read back, never made again.
      expect((await inputEngine(bookingPlan(), ledger).engine.execute({ runId: "r1", task, journal: { record: async () => undefined, load: (id) => after.load(id) } })).status).toBe("succeeded");
      expect(ledger.booked).toEqual(["7F"]);
    } finally {
      await w2.stop(1_000);
      await after.close();
    }
  });

  it("takes the default answer when nobody answers in time, on any worker polling the store", async () => {
    const store = SqliteStore.open(join(scratchDir("cs-agents-input-"), "db.sqlite"));
    const t = inputEngine(bookingPlan({ timeoutMs: 150 }));
    const worker = new Worker({ store, engine: t.engine, workerId: "w1", pollMs: 20 });
    try {
      await store.submit(task, { runId: "r1" });
      const waited = await worker.runOne("r1");
      expect(waited).toMatchObject({ kind: "waiting_input" });
      const question = (await store.load("r1")).find((s) => s.key === QUESTION);
      const expiresAt = Date.parse(String((question?.input as { expiresAt?: string }).expiresAt));
      expect(waited).toMatchObject({ wakeAt: expiresAt });
      worker.start();
      await until(async () => (await statusOf(store, "r1")) === "succeeded", "r1 took its default");
      expect(t.ledger.booked).toEqual(["1A"]);
      expect((await store.load("r1")).find((s) => s.key === QUESTION)).toMatchObject({ status: "succeeded", output: { answer: { seat: "1A" }, by: "timeout" } });
      // An answer after the default was taken is refused.
      await expect(store.answerAudited("r1", QUESTION, { seat: "2B" }, audit("late"))).rejects.toMatchObject({ code: "INPUT_NOT_WAITING" });
    } finally {
      await worker.stop(1_000);
      await store.close();
    }
  });

  it("fails the call when the question is malformed (a timeout with no default): nothing waits", async () => {
    const t = inputEngine(bookingPlan({ badAsk: true }));
    const outcome = await t.engine.execute({ runId: "r1", task });
    expect(outcome).toMatchObject({ status: "failed", error: { code: "INPUT_INVALID", message: expect.stringContaining("timeoutMs needs a defaultAnswer") } });
    expect(t.ledger.booked).toEqual([]);
  });

  it("asks again, without calling the tool, when executed before the answer came (a resume)", async () => {
    const t = inputEngine(bookingPlan());
    const first = await t.engine.execute({ runId: "r1", task });
    expect(first).toMatchObject({ status: "waiting_input", stepKey: QUESTION });
    const again = await t.engine.execute({ runId: "r1", task });
    expect(again).toMatchObject({ status: "waiting_input", stepKey: QUESTION });
    expect(t.ledger.handlerCalls).toBe(1);
  });
});

const pgUp = await postgresAvailable("human input on PostgreSQL");

describe.skipIf(!pgUp)("human input on PostgreSQL", () => {
  it("survives a restart while waiting, takes the answer on a new store, and books once; a default is taken when due by the database clock", async () => {
    const db = await createTestDatabase();
    try {
      const ledger: Ledger = { handlerCalls: 0, booked: [] };
      const before = await PostgresStore.connect(db.url);
      await before.submit(task, { runId: "r1" });
      expect(await new Worker({ store: before, engine: inputEngine(bookingPlan(), ledger).engine, workerId: "w1" }).runOne("r1")).toMatchObject({ kind: "waiting_input" });
      await before.close();

      const after = await PostgresStore.connect(db.url);
      try {
        const worker = new Worker({ store: after, engine: inputEngine(bookingPlan(), ledger).engine, workerId: "w2" });
        expect(await after.claim({ workerId: "w3", leaseMs: 60_000, limit: 5, maxCrashes: 3 })).toEqual([]);
        await after.answerAudited("r1", QUESTION, { seat: "21A" }, audit("carol"));
        expect((await after.get("r1"))?.status).toBe("queued");
        expect(await worker.runOne("r1")).toMatchObject({ kind: "finished", outcome: { status: "succeeded", result: { output: { seat: "21A" } } } });
        expect(ledger.booked).toEqual(["21A"]);

        const timed = inputEngine(bookingPlan({ timeoutMs: 100 }));
        const w4 = new Worker({ store: after, engine: timed.engine, workerId: "w4", pollMs: 20 });
        await after.submit(task, { runId: "r2" });
        expect(await w4.runOne("r2")).toMatchObject({ kind: "waiting_input" });
        w4.start();
        await until(async () => (await after.get("r2"))?.status === "succeeded", "r2 took its default");
        await w4.stop(1_000);
        expect(timed.ledger.booked).toEqual(["1A"]);
      } finally {
        await after.close();
      }
    } finally {
      await db.drop();
    }
  });
});
