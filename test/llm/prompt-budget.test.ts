import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { Step } from "../../src/core/index.js";
import { llmSettingsFromConfig } from "../../src/llm/index.js";
import { loadTokenCounter } from "../../src/llm/count-tokens.js";
import { startFakeOpenAI, text, toolCall, transcript, type ChatRequest, type FakeOpenAI, type Reply } from "./fake-openai-server.js";
import { engineFor, fixedPlanner, llmModel, notePlan, task, testDomain, testEndpoint } from "./support.js";
import type { LlmSettings } from "../../src/llm/index.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

// About 9,000 tokens of text: far over the 1,500 that go inline.
const BIG_NOTE = Array.from({ length: 1500 }, (_, i) => `line ${i}: revenue by region ${i * 7} thousand`).join("\n");

async function run(script: (request: ChatRequest, index: number) => Reply, settings: Partial<LlmSettings> = {}, noteText = BIG_NOTE, plan = notePlan()) {
  fake = await startFakeOpenAI(script);
  const domain = testDomain();
  domain.domain.noteText = noteText;
  const { endpoint } = testEndpoint(fake.baseUrl, { timeoutMs: 20_000, ...settings });
  const { engine, journal } = engineFor(domain, fixedPlanner(plan), llmModel(domain, endpoint));
  const outcome = await engine.execute({ runId: "p1", task: task() });
  const steps: readonly Step[] = await journal.load("p1");
  return { outcome, steps, requests: fake.requests, calls: domain.calls };
}

const offered = (request: ChatRequest | undefined) => (request?.tools ?? []).map((t) => t.function.name);

describe("prompt budgets", () => {
  it("gives a large tool result by reference: the model reads a slice with read_result and hands the whole value on with $ref", async () => {
    const { outcome, requests, calls, steps } = await run((_request, index) => {
      if (index === 0) return toolCall("notes_read", { title: "q3" });
      if (index === 1) return toolCall("read_result", { handle: "result:0", offset: 0, length: 200 });
      return text(JSON.stringify({ $ref: "result:0" }));
    });
    expect(outcome.status).toBe("succeeded");
    if (outcome.status === "succeeded") expect(outcome.result.output).toEqual({ title: "q3", text: BIG_NOTE });
    expect(calls.read).toBe(1);
    const second = transcript(requests[1] ?? { model: "", messages: [] });
    expect(second).toContain('"$ref": "result:0"');
    expect(second).not.toContain("line 1499");
    expect(offered(requests[0])).not.toContain("read_result");
    expect(offered(requests[1])).toContain("read_result");
    // The slice asked for came back in the next request, and no more of the note.
    const third = transcript(requests[2] ?? { model: "", messages: [] });
    expect(third).toContain("line 0: revenue");
    expect(third).not.toContain("line 300");
    // Each request stayed small: the note (about 9k tokens) was never sent whole.
    const count = await loadTokenCounter();
    for (const request of requests) expect(count(JSON.stringify(request))).toBeLessThan(2_500);
    // Reads are not tool calls: the journal holds one call and the decisions.
    expect(steps.filter((s) => s.kind === "tool_call").length).toBe(1);
  });

  it("refuses an unknown handle and lets the model correct itself", async () => {
    const { outcome, requests } = await run((_request, index) => {
      if (index === 0) return toolCall("notes_read", { title: "q3" });
      if (index === 1) return text(JSON.stringify({ $ref: "result:7" }));
      return text("The note lists revenue by region.");
    });
    expect(outcome.status).toBe("succeeded");
    expect(transcript(requests[2] ?? { model: "", messages: [] })).toContain('unknown handle "result:7"');
  });

  it("fails with PROMPT_TOO_LARGE before sending a prompt over the budget", async () => {
    const plan = notePlan({ title: "q3" }, `Summarise the note. ${"Consider every region in detail. ".repeat(280)}`);
    const { outcome, requests } = await run(() => text("never asked"), { contextTokens: 2_000, maxOutputTokens: 512 }, "short", plan);
    expect(outcome.status).toBe("failed");
    if (outcome.status !== "failed") return;
    expect(outcome.error.code).toBe("PROMPT_TOO_LARGE");
    expect(outcome.error.message).toMatch(/the prompt of the assistant agent's turn 1 \(subtask summary\) has \d+ tokens, over its budget of 1488 \(CS_AGENTS_LLM_CONTEXT_TOKENS=2000/);
    expect(requests).toHaveLength(0);
  });

  it("keeps the cached input tokens the provider reports with each decision", async () => {
    fake = await startFakeOpenAI(() => text("x"));
    fake.cachedTokens = 8;
    const domain = testDomain();
    const { endpoint } = testEndpoint(fake.baseUrl);
    const { engine, journal } = engineFor(domain, fixedPlanner(notePlan()), llmModel(domain, endpoint));
    await engine.execute({ runId: "c1", task: task() });
    const decision = (await journal.load("c1")).find((s) => s.kind === "model_call")?.output as { usage?: unknown };
    expect(decision.usage).toEqual({ inputTokens: 10, outputTokens: 10, totalTokens: 20, cachedInputTokens: 8 });
  });

  it("reads the context window from CS_AGENTS_LLM_CONTEXT_TOKENS, 32768 by default", () => {
    const base = { CS_AGENTS_LLM_BASE_URL: "http://127.0.0.1:9/v1", CS_AGENTS_LLM_MODEL: "m" };
    expect(llmSettingsFromConfig(loadConfig(base))?.contextTokens).toBe(32_768);
    expect(llmSettingsFromConfig(loadConfig({ ...base, CS_AGENTS_LLM_CONTEXT_TOKENS: "8192" }))?.contextTokens).toBe(8_192);
    expect(() => loadConfig({ ...base, CS_AGENTS_LLM_CONTEXT_TOKENS: "100" })).toThrow(/CS_AGENTS_LLM_CONTEXT_TOKENS: must be at least 4096/);
    expect(() => llmSettingsFromConfig(loadConfig({ ...base, CS_AGENTS_LLM_CONTEXT_TOKENS: "5000", CS_AGENTS_LLM_MAX_OUTPUT_TOKENS: "4500" }))).toThrow(/contextTokens must be a whole number over maxOutputTokens \+ 1000/);
  });
});
