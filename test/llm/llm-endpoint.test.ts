import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLlmEndpoint, LlmError, retryAfter, type LlmEndpoint } from "../../src/llm/index.js";
import { hang, inOrder, startFakeOpenAI, status, text, type FakeOpenAI } from "./fake-openai-server.js";
import { API_KEY, engineFor, fixedPlanner, llmModel, notePlan, settingsFor, task, testDomain, testEndpoint } from "./support.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** One agent turn through the engine; resolves to the run outcome. */
async function runOnce(endpoint: LlmEndpoint) {
  const domain = testDomain();
  return engineFor(domain, fixedPlanner(notePlan()), llmModel(domain, endpoint)).engine.execute({ runId: "e", task: task() });
}

const failure = async (promise: Promise<unknown>): Promise<LlmError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LlmError) return error;
    throw error;
  }
  throw new Error("expected a failure");
};

describe("LLM endpoint requests", () => {
  it("retries a 429 after the server's Retry-After (seconds)", async () => {
    fake = await startFakeOpenAI(inOrder(status(429, { "retry-after": "3" }), text("ok")));
    const { endpoint, waits } = testEndpoint(fake.baseUrl);
    const outcome = await runOnce(endpoint);
    expect(outcome.status).toBe("succeeded");
    expect(waits).toEqual([3_000]);
    expect(fake.requests).toHaveLength(2);
  });

  it("honours retry-after-ms and an HTTP-date Retry-After", async () => {
    fake = await startFakeOpenAI(inOrder(status(503, { "retry-after-ms": "250" }), text("ok")));
    const { endpoint, waits } = testEndpoint(fake.baseUrl);
    expect((await runOnce(endpoint)).status).toBe("succeeded");
    expect(waits).toEqual([250]);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfter({ "Retry-After": "Thu, 01 Jan 2026 00:00:05 GMT" }, now)).toBe(5_000);
    expect(retryAfter({ "retry-after": "soon" }, now)).toBeUndefined();
  });

  it("retries 500s with backoff, then gives up with LLM_UNAVAILABLE after maxRetries", async () => {
    fake = await startFakeOpenAI(inOrder(status(500)));
    const { endpoint, waits } = testEndpoint(fake.baseUrl, { maxRetries: 2 });
    const outcome = await runOnce(endpoint);
    expect(outcome.status).toBe("failed");
    expect(outcome.status === "failed" && outcome.error.code).toBe("LLM_UNAVAILABLE");
    expect(fake.requests).toHaveLength(3);
    expect(waits).toHaveLength(2);
    // Equal jitter: between half and all of 500 ms, then of 1000 ms.
    expect(waits[0]).toBeGreaterThanOrEqual(250);
    expect(waits[1]).toBeGreaterThanOrEqual(500);
  });

  it("does not wait for a Retry-After longer than it accepts", async () => {
    fake = await startFakeOpenAI(inOrder(status(429, { "retry-after": "3600" }), text("ok")));
    const endpoint = createLlmEndpoint(settingsFor(fake.baseUrl), { maxRetryDelayMs: 10_000 });
    const error = await failure(runOnceRaw(endpoint));
    expect(error.code).toBe("LLM_RATE_LIMITED");
    expect(error.message).toMatch(/more than the 10000 ms accepted/);
  });

  it("times out a request that never answers, and retries it", async () => {
    fake = await startFakeOpenAI(inOrder(hang(), hang(), text("late but fine")));
    const { endpoint } = testEndpoint(fake.baseUrl, { timeoutMs: 150, maxRetries: 2 });
    const outcome = await runOnce(endpoint);
    expect(outcome.status === "succeeded" && outcome.result.output).toBe("late but fine");
    expect(fake.requests).toHaveLength(3);
  });

  it("fails with LLM_TIMEOUT when every attempt hangs", async () => {
    fake = await startFakeOpenAI(inOrder(hang()));
    const { endpoint } = testEndpoint(fake.baseUrl, { timeoutMs: 100, maxRetries: 1 });
    const outcome = await runOnce(endpoint);
    expect(outcome.status === "failed" && outcome.error.code).toBe("LLM_TIMEOUT");
    expect(fake.requests).toHaveLength(2);
  });

  it("does not retry a refused request, and keeps the API key out of the error", async () => {
    fake = await startFakeOpenAI(
      inOrder({ kind: "status", status: 401, body: { error: { message: `Incorrect API key provided: ${API_KEY}. Header was Bearer ${API_KEY}` } } }),
    );
    const { endpoint, waits } = testEndpoint(fake.baseUrl);
    const error = await failure(runOnceRaw(endpoint));
    expect(error.code).toBe("LLM_REQUEST_FAILED");
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).toContain("***");
    expect(error.cause).toBeUndefined();
    expect(waits).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it("reports a closed port as LLM_UNAVAILABLE", async () => {
    const port = await freePort();
    const { endpoint } = testEndpoint(`http://127.0.0.1:${port}/v1`, { maxRetries: 1 });
    const error = await failure(runOnceRaw(endpoint));
    expect(error.code).toBe("LLM_UNAVAILABLE");
  });

  it("refuses bad settings when it is built, naming them", () => {
    expect(() => createLlmEndpoint(settingsFor("ftp://example"))).toThrow(/baseUrl must be an http\(s\) URL/);
    expect(() => createLlmEndpoint(settingsFor("http://127.0.0.1:1/v1", { model: " " }))).toThrow(/model is required/);
    expect(() => createLlmEndpoint(settingsFor("http://127.0.0.1:1/v1", { temperature: 3 }))).toThrow(/temperature/);
  });
});

/** One model turn outside the engine, so the LlmError itself can be inspected. */
async function runOnceRaw(endpoint: LlmEndpoint): Promise<unknown> {
  const domain = testDomain();
  const plan = notePlan();
  const subtask = plan.subtasks[0];
  if (!subtask) throw new Error("no subtask");
  return llmModel(domain, endpoint).decide({ agent: domain.agents.get("assistant"), subtask, language: "en", dependencies: {}, history: [] });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
