import { afterEach, describe, expect, it } from "vitest";
import { completeTurn } from "../../src/llm/complete-turn.js";
import { inOrder, lastMessage, raw, startFakeOpenAI, text, toolCall, unfinished, type FakeOpenAI } from "./fake-openai-server.js";
import { engineFor, fixedPlanner, llmModel, notePlan, task, testDomain, testEndpoint } from "./support.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const ask = (stream: boolean) => {
  if (!fake) throw new Error("start the fake server first");
  const { endpoint } = testEndpoint(fake.baseUrl, { maxRetries: 0 });
  return completeTurn(endpoint, { modelName: "test-model", system: "be brief", messages: [{ role: "user", content: "hi" }], toolSet: {}, stream });
};

describe("answers real providers give", () => {
  it("reports a 200 whose body is not JSON as LLM_BAD_RESPONSE", async () => {
    fake = await startFakeOpenAI(inOrder(raw("this is not JSON {")));
    await expect(ask(false)).rejects.toMatchObject({ code: "LLM_BAD_RESPONSE", message: expect.stringMatching(/not the chat-completions protocol/) });
  });

  it("reports an HTML error page sent with status 200 as LLM_BAD_RESPONSE", async () => {
    fake = await startFakeOpenAI(inOrder(raw("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")));
    await expect(ask(false)).rejects.toMatchObject({ code: "LLM_BAD_RESPONSE" });
  });

  it("accepts a streamed answer that never says finish_reason, like the same answer unstreamed", async () => {
    fake = await startFakeOpenAI(inOrder(unfinished("all done")));
    await expect(ask(false)).resolves.toMatchObject({ text: "all done" });
    await expect(ask(true)).resolves.toMatchObject({ text: "all done" });
  });

  it("strips a reasoning model's <think> block from the final answer and keeps it in the journal", async () => {
    fake = await startFakeOpenAI((request) =>
      lastMessage(request)?.role === "tool" ? text("<think>The note says 12.5M; keep it short.</think>\n\nRevenue was 12.5M CNY.") : toolCall("notes_read", { title: "q3" }),
    );
    const domain = testDomain();
    const { engine, journal } = engineFor(domain, fixedPlanner(notePlan()), llmModel(domain, testEndpoint(fake.baseUrl).endpoint));
    const outcome = await engine.execute({ runId: "think1", task: task() });
    expect(outcome.status === "succeeded" && outcome.result.output).toBe("Revenue was 12.5M CNY.");
    const last = (await journal.load("think1")).filter((s) => s.kind === "model_call").at(-1);
    expect(last?.output).toMatchObject({ type: "finish", reasoning: "The note says 12.5M; keep it short." });
  });

  it("reads a JSON answer after a <think> block as data", async () => {
    fake = await startFakeOpenAI((request) => (lastMessage(request)?.role === "tool" ? text('<think>sum it</think>```json\n{"revenue": 12.5}\n```') : toolCall("notes_read", { title: "q3" })));
    const domain = testDomain();
    const { engine } = engineFor(domain, fixedPlanner(notePlan()), llmModel(domain, testEndpoint(fake.baseUrl).endpoint));
    const outcome = await engine.execute({ runId: "think2", task: task() });
    expect(outcome.status === "succeeded" && outcome.result.output).toEqual({ revenue: 12.5 });
  });
});
