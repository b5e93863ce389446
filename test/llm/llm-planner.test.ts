import { afterEach, describe, expect, it } from "vitest";
import type { Subtask } from "../../src/core/index.js";
import { createLlmPlanner, type LlmEndpoint } from "../../src/llm/index.js";
import { definePlanTemplate, TaskPlanner } from "../../src/planner/index.js";
import { inOrder, startFakeOpenAI, status, text, toolCall, transcript, type ChatRequest, type FakeOpenAI } from "./fake-openai-server.js";
import { engineFor, llmModel, memoryAudit, task, testDomain, testEndpoint, type TestDomain } from "./support.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const step = (id: string, over: Partial<Subtask> = {}): Subtask => ({
  id,
  title: `step ${id}`,
  agent: "assistant",
  instructions: `do ${id}`,
  dependsOn: [],
  tool: "notes.read",
  input: { title: "q3" },
  ...over,
});
const planJson = (...subtasks: Subtask[]) => text(JSON.stringify({ subtasks }));
const goodPlan = planJson(step("read"), step("save", { dependsOn: ["read"], tool: "notes.write", input: { title: "summary", text: "" } }));

const summaryTemplate = definePlanTemplate({
  name: "note-summary",
  description: "summarise a note",
  examples: ["summarise the q3 note"],
  match: (description) => (/summari[sz]e/i.test(description) ? { params: {} } : undefined),
  build: () => [step("template-read")],
});

function plannerFor(domain: TestDomain, endpoint: LlmEndpoint) {
  const fallback = new TaskPlanner({ templates: [summaryTemplate], knownAgents: domain.agents.names() });
  return createLlmPlanner({ endpoint, agents: domain.agents, tools: domain.tools, fallback });
}

describe("LLM planner", () => {
  it("plans with structured output, naming the model as the source", async () => {
    fake = await startFakeOpenAI(inOrder(goodPlan));
    const domain = testDomain();
    const plan = await plannerFor(domain, testEndpoint(fake.baseUrl).endpoint).plan(task("读取第三季度的笔记并保存摘要"));
    expect(plan.source).toBe("llm:test-model");
    expect(plan.language).toBe("zh");
    expect(plan.subtasks.map((s) => s.id)).toEqual(["read", "save"]);
    const request = fake.requests[0] as ChatRequest;
    expect(request.response_format).toMatchObject({ type: "json_object" });
    const sent = transcript(request);
    // The agents and their tools are in the prompt; the task arrives as data.
    expect(sent).toContain("- assistant: reads and summarises notes");
    expect(sent).toContain("payments.transfer (sensitive");
    expect(sent).toMatch(/<untrusted-data source="the user's task">[\s\S]*读取第三季度的笔记并保存摘要/);
  });

  it("feeds validation errors back for one repair round", async () => {
    const cyclic = planJson(step("a", { dependsOn: ["b"] }), step("b", { dependsOn: ["a"] }));
    fake = await startFakeOpenAI(inOrder(cyclic, goodPlan));
    const domain = testDomain();
    const plan = await plannerFor(domain, testEndpoint(fake.baseUrl).endpoint).plan(task());
    expect(plan.source).toBe("llm:test-model+repair");
    expect(fake.requests).toHaveLength(2);
    const repair = transcript(fake.requests[1] as ChatRequest);
    expect(repair).toMatch(/That plan is invalid: .*dependency cycle/);
    expect(repair).toContain('"dependsOn":["b"]');
  });

  it("repairs an answer that is not JSON or not the plan's shape", async () => {
    fake = await startFakeOpenAI(inOrder(text("Sure! First read the note, then save it."), goodPlan));
    const domain = testDomain();
    const plan = await plannerFor(domain, testEndpoint(fake.baseUrl).endpoint).plan(task());
    expect(plan.source).toBe("llm:test-model+repair");
    expect(transcript(fake.requests[1] as ChatRequest)).toMatch(/the answer is not JSON/);
  });

  it("refuses plans over 20 subtasks and tools their agent may not call", async () => {
    const tooBig = planJson(...Array.from({ length: 21 }, (_, i) => step(`s${i}`)));
    const wrongTool = planJson(step("wipe", { tool: "admin.delete", input: {} }));
    fake = await startFakeOpenAI(inOrder(tooBig, wrongTool));
    const domain = testDomain();
    const plan = await plannerFor(domain, testEndpoint(fake.baseUrl).endpoint).plan(task());
    expect(plan.source).toBe("template:note-summary");
    const repair = transcript(fake.requests[1] as ChatRequest);
    expect(repair).toMatch(/subtasks: Too big|at most 20|<=20/i);
  });

  it("falls back to the template planner after a failed repair", async () => {
    const unknownAgent = planJson(step("x", { agent: "hacker" }));
    fake = await startFakeOpenAI(inOrder(unknownAgent, unknownAgent));
    const domain = testDomain();
    const plan = await plannerFor(domain, testEndpoint(fake.baseUrl).endpoint).plan(task());
    expect(plan.source).toBe("template:note-summary");
    expect(plan.subtasks.map((s) => s.id)).toEqual(["template-read"]);
    expect(fake.requests).toHaveLength(2);
  });

  it("fails with both reasons when no template matches either", async () => {
    const unknownAgent = planJson(step("x", { agent: "hacker" }));
    fake = await startFakeOpenAI(inOrder(unknownAgent));
    const domain = testDomain();
    const planning = plannerFor(domain, testEndpoint(fake.baseUrl).endpoint).plan(task("book a flight to Mars"));
    await expect(planning).rejects.toMatchObject({ code: "PLANNING_FAILED" });
    await expect(planning).rejects.toThrow(/unknown agent "hacker".*after the repair round.*built-in planner could not plan it either/s);
    await expect(planning).rejects.toThrow(/; add a plan template with a plugin \(--plugin\)\.$/);
    await expect(planning).rejects.not.toThrow(/configure an LLM planner/);
  });

  it("goes straight to the fallback when the endpoint is down", async () => {
    fake = await startFakeOpenAI(inOrder(status(503)));
    const domain = testDomain();
    const plan = await plannerFor(domain, testEndpoint(fake.baseUrl, { maxRetries: 0 }).endpoint).plan(task());
    expect(plan.source).toBe("template:note-summary");
    expect(fake.requests).toHaveLength(1);
  });

  it("plans and runs a task end to end through the engine", async () => {
    fake = await startFakeOpenAI((request) => {
      if (request.response_format) return goodPlan;
      return request.messages.at(-1)?.role === "tool" ? text("done") : toolCall("notes_read", { title: "q3" });
    });
    const domain = testDomain();
    const { endpoint } = testEndpoint(fake.baseUrl);
    const { engine, journal } = engineFor(domain, plannerFor(domain, endpoint), llmModel(domain, endpoint));
    const outcome = await engine.execute({ runId: "p1", task: task() });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.plan?.source).toBe("llm:test-model");
    expect((await journal.load("p1")).find((s) => s.key === "plan")?.status).toBe("succeeded");
  });

  it("reads a plan after a reasoning block and inside ```json fences, without a repair round", async () => {
    const body = JSON.stringify({ subtasks: [step("read")] });
    fake = await startFakeOpenAI(inOrder(text(`<think>The user wants a summary. One step.</think>\n\`\`\`json\n${body}\n\`\`\``)));
    const domain = testDomain();
    const plan = await plannerFor(domain, testEndpoint(fake.baseUrl).endpoint).plan(task("book a flight to Mars"));
    expect(plan.source).toBe("llm:test-model");
    expect(fake.requests).toHaveLength(1);
  });

  it("says why it fell back to a template, and keeps the planner's tokens in the plan", async () => {
    const unknownAgent = planJson(step("x", { agent: "hacker" }));
    fake = await startFakeOpenAI(inOrder(unknownAgent));
    const domain = testDomain();
    const plan = await plannerFor(domain, testEndpoint(fake.baseUrl).endpoint).plan(task());
    expect(plan.source).toBe("template:note-summary");
    expect(plan.note).toMatch(/the LLM planner \(test-model\) gave no valid plan: .*unknown agent "hacker"/);
    expect(plan.usage).toEqual({ inputTokens: 20, outputTokens: 20, totalTokens: 40 });
  });

  it("audits the plan as a model output", async () => {
    fake = await startFakeOpenAI((request) => {
      if (request.response_format) return goodPlan;
      return request.messages.at(-1)?.role === "tool" ? text("done") : toolCall("notes_read", { title: "q3" });
    });
    const domain = testDomain();
    const { endpoint } = testEndpoint(fake.baseUrl);
    const audit = memoryAudit();
    const { engine } = engineFor(domain, plannerFor(domain, endpoint), llmModel(domain, endpoint));
    expect((await engine.execute({ runId: "pa", task: task(), audit })).status).toBe("succeeded");
    const planEntry = audit.entries.find((e) => e.action === "model.output" && e.details?.["stepKey"] === "plan");
    expect(planEntry).toMatchObject({ actor: "llm:test-model", target: "pa" });
    expect(JSON.stringify(planEntry?.details)).toContain('"notes.write"');
  });
});
