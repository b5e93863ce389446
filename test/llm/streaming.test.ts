import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import type { EngineEvent } from "../../src/engine/index.js";
import { llmSettingsFromConfig } from "../../src/llm/index.js";
import { lastMessage, startFakeOpenAI, text, toolCall, type ChatRequest, type FakeOpenAI, type Reply } from "./fake-openai-server.js";
import { engineFor, fixedPlanner, llmModel, notePlan, task, testDomain, testEndpoint } from "./support.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const ANSWER = "The note says revenue was 12.5M CNY.";
const readThenAnswer = (request: ChatRequest): Reply => (lastMessage(request)?.role === "tool" ? text(ANSWER) : toolCall("notes_read", { title: "q3" }));

async function runNote(script: (request: ChatRequest) => Reply, prepare: (fake: FakeOpenAI) => void = () => undefined, stream = true) {
  fake = await startFakeOpenAI(script);
  prepare(fake);
  const domain = testDomain();
  const { endpoint } = testEndpoint(fake.baseUrl, { stream });
  const events: EngineEvent[] = [];
  const { engine, journal } = engineFor(domain, fixedPlanner(notePlan()), llmModel(domain, endpoint));
  const outcome = await engine.execute({ runId: "s1", task: task(), onEvent: (e) => events.push(e) });
  const steps = await journal.load("s1");
  return { outcome, events, steps, requests: fake.requests, calls: domain.calls };
}

describe("streaming", () => {
  it("streams by default: the text arrives as model.delta events, the journal keeps only the final decision", async () => {
    const { outcome, events, steps, requests } = await runNote(readThenAnswer);
    expect(outcome.status).toBe("succeeded");
    expect(requests.every((r) => r.stream === true)).toBe(true);
    const deltas = events.filter((e): e is Extract<EngineEvent, { type: "model.delta" }> => e.type === "model.delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((e) => e.text).join("")).toBe(ANSWER);
    const modelSteps = steps.filter((s) => s.kind === "model_call");
    expect(modelSteps.map((s) => s.output)).toEqual([
      expect.objectContaining({ type: "call", tool: "notes.read" }),
      expect.objectContaining({ type: "finish", output: ANSWER }),
    ]);
    // Only decisions are recorded: no step holds a piece of the stream.
    expect(JSON.stringify(steps)).not.toContain('"model.delta"');
  });

  it("uses the answer of an endpoint that ignores stream: true, and asks it unstreamed from then on", async () => {
    const { outcome, requests, calls } = await runNote(readThenAnswer, (f) => (f.streams = false));
    expect(outcome.status).toBe("succeeded");
    if (outcome.status === "succeeded") expect(outcome.result.output).toBe(ANSWER);
    expect(calls.read).toBe(1);
    expect(requests.map((r) => r.stream === true)).toEqual([true, false]);
  });

  it("asks again unstreamed when the endpoint refuses streaming, and from then on", async () => {
    const refuse: Reply = { kind: "status", status: 400, body: { error: { message: "stream mode is not supported by this server", type: "invalid_request_error" } } };
    const { outcome, requests } = await runNote((request) => (request.stream ? refuse : readThenAnswer(request)));
    expect(outcome.status).toBe("succeeded");
    expect(requests.map((r) => r.stream === true)).toEqual([true, false, false]);
  });

  it("reports a 200 that is not the protocol as LLM_BAD_RESPONSE when streaming too", async () => {
    const { outcome } = await runNote(() => ({ kind: "raw", status: 200, contentType: "text/html", body: "<html>502 Bad Gateway</html>" }));
    expect(outcome.status).toBe("failed");
    if (outcome.status === "failed") expect(outcome.error.code).toBe("LLM_BAD_RESPONSE");
  });

  it("can be turned off with CS_AGENTS_LLM_STREAM=false", async () => {
    const base = { CS_AGENTS_LLM_BASE_URL: "http://127.0.0.1:9/v1", CS_AGENTS_LLM_MODEL: "m" };
    expect(llmSettingsFromConfig(loadConfig(base))?.stream).toBe(true);
    expect(llmSettingsFromConfig(loadConfig({ ...base, CS_AGENTS_LLM_STREAM: "false" }))?.stream).toBe(false);
    expect(() => loadConfig({ ...base, CS_AGENTS_LLM_STREAM: "yes" })).toThrow(/CS_AGENTS_LLM_STREAM: must be "true" or "false"/);
    const { outcome, events, requests } = await runNote(readThenAnswer, () => undefined, false);
    expect(outcome.status).toBe("succeeded");
    expect(requests.map((r) => r.stream === true)).toEqual([false, false]);
    expect(events.some((e) => e.type === "model.delta")).toBe(false);
  });
});
