import { afterEach, describe, expect, it } from "vitest";
import type { AgentModel } from "../../src/agents/index.js";
import { createMemoryJournal, type Journal } from "../../src/engine/index.js";
import { createLlmPlanner, createRunAccounting, type RunBudget } from "../../src/llm/index.js";
import { hang, inOrder, lastMessage, startFakeOpenAI, text, toolCall, type FakeOpenAI, type Script } from "./fake-openai-server.js";
import { engineFor, fixedPlanner, llmModel, notePlan, task, testDomain, testEndpoint } from "./support.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const NO_LIMIT: RunBudget = { maxTokens: 0, maxToolCalls: 0, maxMs: 0 };

/** Reads the note over and over: only a budget (or maxSteps) stops it. */
const readForever: Script = () => toolCall("notes_read", { title: "q3" }, 10);

function budgetedRun(budget: Partial<RunBudget>, overrides: { timeoutMs?: number } = {}) {
  if (!fake) throw new Error("start the fake server first");
  const accounting = createRunAccounting({ ...NO_LIMIT, ...budget });
  const domain = testDomain();
  const model = accounting.model(llmModel(domain, testEndpoint(fake.baseUrl, overrides).endpoint, { onUsage: accounting.onUsage }));
  const { engine, journal } = engineFor(domain, fixedPlanner(notePlan()), model);
  return { accounting, domain, journal, engine: accounting.engine(engine, { journal }) };
}

describe("run budgets", () => {
  it("stops a run as failed with BUDGET_EXCEEDED when its tokens pass the budget", async () => {
    fake = await startFakeOpenAI(readForever);
    const { engine, domain, accounting } = budgetedRun({ maxTokens: 30 });
    const outcome = await engine.execute({ runId: "t1", task: task() });
    expect(outcome.status).toBe("failed");
    expect(outcome.status === "failed" && outcome.error).toMatchObject({ code: "BUDGET_EXCEEDED", message: expect.stringMatching(/used 40 tokens, over its budget of 30/) });
    // Each answer costs 20 tokens: the first turn's call went through, the second was stopped.
    expect(domain.calls.read).toBe(1);
    expect(accounting.run("t1")?.tokens.totalTokens).toBe(40);
  });

  it("journals each decision's token usage and keeps the count across a resume", async () => {
    fake = await startFakeOpenAI(inOrder(toolCall("notes_read", { title: "q3" }, 10), text("done", 10)));
    const first = budgetedRun({});
    expect((await first.engine.execute({ runId: "r1", task: task() })).status).toBe("succeeded");
    const decisions = (await first.journal.load("r1")).filter((s) => s.kind === "model_call");
    expect(decisions.map((s) => (s.output as { usage?: unknown }).usage)).toEqual([
      { inputTokens: 10, outputTokens: 10, totalTokens: 20 },
      { inputTokens: 10, outputTokens: 10, totalTokens: 20 },
    ]);
    // A new process resumes the run from the journal: no request, and the 40 tokens still count.
    const requests = fake.requests.length;
    const resumedAccounting = createRunAccounting({ ...NO_LIMIT, maxTokens: 30 });
    const domain = testDomain();
    const model = resumedAccounting.model(llmModel(domain, testEndpoint(fake.baseUrl).endpoint, { onUsage: resumedAccounting.onUsage }));
    const survived = createMemoryJournal();
    for (const step of await first.journal.load("r1")) if (step.kind !== "subtask") await survived.record(step);
    const { engine } = engineFor(domain, fixedPlanner(notePlan()), model, survived);
    await resumedAccounting.engine(engine, { journal: survived }).execute({ runId: "r1", task: task() });
    expect(fake.requests.length).toBe(requests);
    expect(resumedAccounting.run("r1")).toMatchObject({ tokens: { totalTokens: 40 }, modelRequests: 2, toolCalls: 1 });
  });

  it("prices each request by model and stops a run over its cost budget", async () => {
    fake = await startFakeOpenAI(readForever);
    // 10 input + 10 output tokens per answer: 0.01 + 0.02 = 0.03 per request.
    const prices = { "test-model": { inputPerMillion: 1_000, outputPerMillion: 2_000 } };
    const { engine, accounting } = budgetedRun({ maxCost: 0.05, prices });
    const outcome = await engine.execute({ runId: "c1", task: task("cost me") });
    expect(outcome.status === "failed" && outcome.error).toMatchObject({ code: "BUDGET_EXCEEDED", message: expect.stringMatching(/cost 0\.0600, over its budget of 0\.05/) });
    expect(accounting.run("c1")?.cost).toBeCloseTo(0.06, 10);
    // An unpriced model costs nothing, so a cost budget never stops it.
    const unpriced = budgetedRun({ maxCost: 0.05, maxToolCalls: 3, prices: { "other-model": { inputPerMillion: 1, outputPerMillion: 1 } } });
    const stopped = await unpriced.engine.execute({ runId: "c2", task: task() });
    expect(stopped.status === "failed" && stopped.error.message).toMatch(/tool call 4/);
    expect(unpriced.accounting.run("c2")?.cost).toBe(0);
  });

  it("stops a run that asks for more tool calls than its budget", async () => {
    fake = await startFakeOpenAI(readForever);
    const { engine, domain } = budgetedRun({ maxToolCalls: 2 });
    const outcome = await engine.execute({ runId: "t2", task: task() });
    expect(outcome.status === "failed" && outcome.error.code).toBe("BUDGET_EXCEEDED");
    expect(outcome.status === "failed" && outcome.error.message).toMatch(/tool call 3, over its budget of 2/);
    expect(domain.calls.read).toBe(2);
  });

  it("counts a deterministic model's tool calls once on a resume, where replay asks the model again", async () => {
    // The built-in rules model is deterministic: a resumed run asks it again for every journaled
    // decision, so those calls are counted as they replay, not also from the journal.
    const twoReads: AgentModel = { name: "rules", deterministic: true, decide: async ({ history }) => (history.length < 2 ? { type: "call", tool: "notes.read", input: { title: "q3" } } : { type: "finish", output: { reads: history.length } }) };
    const run = (journal?: Journal) => {
      const accounting = createRunAccounting({ ...NO_LIMIT, maxToolCalls: 2 });
      const domain = testDomain();
      const built = engineFor(domain, fixedPlanner(notePlan()), accounting.model(twoReads), journal);
      return { accounting, domain, journal: built.journal, engine: accounting.engine(built.engine, { journal: built.journal, modelAskedAgainOnReplay: true }) };
    };
    const first = run();
    expect((await first.engine.execute({ runId: "d1", task: task() })).status).toBe("succeeded");
    // Another process resumes it with the subtask unfinished, given the journal as a worker gives it.
    const survived = createMemoryJournal();
    for (const step of await first.journal.load("d1")) if (step.kind !== "subtask") await survived.record(step);
    const resumed = run(survived);
    const outcome = await resumed.engine.execute({ runId: "d1", task: task(), journal: survived });
    expect(outcome.status).toBe("succeeded");
    expect(resumed.domain.calls.read).toBe(0);
    expect(resumed.accounting.run("d1")?.toolCalls).toBe(2);
  });

  it("stops a run at its time budget even while a model request hangs", async () => {
    fake = await startFakeOpenAI(inOrder(hang()));
    const { engine } = budgetedRun({ maxMs: 200 }, { timeoutMs: 10_000 });
    const started = Date.now();
    const outcome = await engine.execute({ runId: "t3", task: task() });
    expect(outcome.status).toBe("failed");
    expect(outcome.status === "failed" && outcome.error).toMatchObject({ code: "BUDGET_EXCEEDED", message: expect.stringMatching(/time budget of 200 ms/) });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("counts the planner's tokens too, and does not fall back when the budget stops it", async () => {
    fake = await startFakeOpenAI(() => text("not a plan", 10));
    const accounting = createRunAccounting({ ...NO_LIMIT, maxTokens: 30 });
    const domain = testDomain();
    const { endpoint } = testEndpoint(fake.baseUrl);
    const fallback = fixedPlanner(notePlan());
    const planner = createLlmPlanner({ endpoint, agents: domain.agents, tools: domain.tools, fallback, onUsage: accounting.onUsage });
    const engine = accounting.engine(engineFor(domain, planner, llmModel(domain, endpoint)).engine);
    const outcome = await engine.execute({ runId: "t5", task: task() });
    expect(outcome.status === "failed" && outcome.error.code).toBe("BUDGET_EXCEEDED");
    // The first answer (20 tokens) got a repair round; the second passed the budget.
    expect(fake.requests).toHaveLength(2);
  });

  it("leaves a run its caller cancelled as cancelled, without waiting for a hanging request", async () => {
    fake = await startFakeOpenAI(inOrder(hang()));
    const { engine } = budgetedRun({ maxMs: 5_000 }, { timeoutMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const outcome = await engine.execute({ runId: "t4", task: task(), signal: controller.signal });
    expect(outcome.status).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("counts tokens, model requests and tool calls per run and per tenant", async () => {
    fake = await startFakeOpenAI((request) => (lastMessage(request)?.role === "tool" ? text("done", 5) : toolCall("notes_read", { title: "q3" }, 10)));
    const { engine, accounting } = budgetedRun({ prices: { "test-model": { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 } } });
    await engine.execute({ runId: "a1", task: { ...task(), tenant: "acme" } });
    await engine.execute({ runId: "a2", task: { ...task(), tenant: "acme" } });
    await engine.execute({ runId: "b1", task: { ...task(), tenant: "beta" } });
    expect(accounting.run("a1")).toMatchObject({ tenant: "acme", modelRequests: 2, toolCalls: 1, tokens: { inputTokens: 15, outputTokens: 15, totalTokens: 30 } });
    // At 1 per input token and 2 per output token: 30 + 60.
    expect(accounting.tenants().get("acme")).toEqual({ modelRequests: 4, toolCalls: 2, tokens: { inputTokens: 30, outputTokens: 30, totalTokens: 60 }, cost: 90 });
    expect(accounting.tenants().get("beta")?.tokens.totalTokens).toBe(30);
  });

  it("keeps the planner's tokens across a resume: the plan step carries them", async () => {
    const plan = JSON.stringify({ subtasks: notePlan().subtasks });
    fake = await startFakeOpenAI((request) => (request.response_format ? text(plan, 50) : toolCall("notes_read", { title: "q3" }, 10)));
    const journal = createMemoryJournal();
    const run = (maxTokens: number) => {
      const accounting = createRunAccounting({ ...NO_LIMIT, maxTokens });
      const domain = testDomain();
      const { endpoint } = testEndpoint(fake?.baseUrl ?? "");
      const planner = createLlmPlanner({ endpoint, agents: domain.agents, tools: domain.tools, onUsage: accounting.onUsage });
      const model = accounting.model(llmModel(domain, endpoint, { onUsage: accounting.onUsage }));
      return { accounting, engine: accounting.engine(engineFor(domain, planner, model, journal).engine, { journal }) };
    };
    // The plan costs 100 tokens, each turn 20: the budget of 150 stops the third turn.
    const first = run(150);
    const outcome = await first.engine.execute({ runId: "pr", task: task() });
    expect(outcome.status === "failed" && outcome.error.message).toMatch(/used 160 tokens/);
    const plan0 = (await journal.load("pr")).find((s) => s.key === "plan");
    expect((plan0?.output as { usage?: unknown }).usage).toEqual({ inputTokens: 50, outputTokens: 50, totalTokens: 100 });
    // Resumed: the plan is read back (no request) and its 100 tokens still count.
    const resumed = run(1_000);
    const requests = fake.requests.length;
    await resumed.engine.execute({ runId: "pr", task: task() }).catch(() => undefined);
    expect(fake.requests.slice(requests).some((r) => r.response_format)).toBe(false);
    expect(resumed.accounting.run("pr")?.tokens.totalTokens).toBeGreaterThanOrEqual(100 + 40);
  });

  it("holds the time budget while planning: the deadline aborts the request in flight and starts no retry", async () => {
    fake = await startFakeOpenAI(inOrder(hang()));
    const accounting = createRunAccounting({ ...NO_LIMIT, maxMs: 300 });
    const domain = testDomain();
    // Without the deadline this request would be tried 3 times, 10 s each.
    const { endpoint } = testEndpoint(fake.baseUrl, { timeoutMs: 10_000, maxRetries: 2 });
    const planner = createLlmPlanner({ endpoint, agents: domain.agents, tools: domain.tools, fallback: fixedPlanner(notePlan()), onUsage: accounting.onUsage });
    const engine = accounting.engine(engineFor(domain, planner, llmModel(domain, endpoint)).engine);
    const finished: string[] = [];
    const started = Date.now();
    const outcome = await engine.execute({ runId: "tp", task: task(), onEvent: (e) => void (e.type === "run.finished" && finished.push(e.status)) });
    expect(outcome.status === "failed" && outcome.error).toMatchObject({ code: "BUDGET_EXCEEDED", message: expect.stringMatching(/time budget of 300 ms/) });
    // One message: the run's own events say failed, never cancelled.
    expect(finished).toEqual(["failed"]);
    expect(Date.now() - started).toBeLessThan(5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requests).toHaveLength(1);
  });

  it("aborts an agent's request in flight at the deadline and starts no retry", async () => {
    fake = await startFakeOpenAI(inOrder(hang()));
    const { engine } = budgetedRun({ maxMs: 300 }, { timeoutMs: 10_000 });
    const finished: string[] = [];
    const outcome = await engine.execute({ runId: "ta", task: task(), onEvent: (e) => void (e.type === "run.finished" && finished.push(e.status)) });
    expect(outcome.status === "failed" && outcome.error.code).toBe("BUDGET_EXCEEDED");
    expect(finished).toEqual(["failed"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requests).toHaveLength(1);
  });
});
