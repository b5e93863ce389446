import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createToolCache, MemoryCache, RedisCache, type ToolCache } from "../../src/cache/index.js";
import { toolCacheResponses } from "../../src/llm/index.js";
import { REDIS_URL, removeKeys, requireRedis, ROOMY_TIMEOUTS, uniquePrefix } from "../cache/redis-test-support.js";
import { inOrder, startFakeOpenAI, text, toolCall, type FakeOpenAI } from "./fake-openai-server.js";
import { engineFor, fixedPlanner, llmModel, notePlan, task, testDomain, testEndpoint } from "./support.js";

const redisUp = await requireRedis("LLM response cache over Redis (response-cache.test.ts)");
const keyPrefix = uniquePrefix("response-cache");

let fake: FakeOpenAI | undefined;
const caches: ToolCache[] = [];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await Promise.all(caches.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  if (redisUp) await removeKeys(keyPrefix);
});

/** A worker process's tool cache: its own memory, and the shared Redis. */
async function workerCache(test: string): Promise<ToolCache> {
  const redis = await RedisCache.connect({ url: REDIS_URL, keyPrefix: `${keyPrefix}${test}:`, onError: () => undefined, ...ROOMY_TIMEOUTS });
  const cache = createToolCache({ l1: new MemoryCache(), l2: redis, lock: redis });
  caches.push(cache);
  return cache;
}

describe.runIf(redisUp)("model answers in the project's cache", () => {
  it("asks once for identical temperature-0 turns, across workers sharing Redis, and keeps the usage honest", async () => {
    fake = await startFakeOpenAI(inOrder(toolCall("notes_read", { title: "q3" }), text("The note says 12.5M CNY.")));
    const domain = testDomain();
    const { endpoint } = testEndpoint(fake.baseUrl);
    const first = llmModel(domain, endpoint, { cache: toolCacheResponses(await workerCache("shared"), 60_000) });
    const one = await engineFor(domain, fixedPlanner(notePlan()), first).engine.execute({ runId: "a1", task: task() });
    expect(one.status === "succeeded" && one.result.output).toBe("The note says 12.5M CNY.");
    expect(fake.requests).toHaveLength(2);

    // Another worker: a fresh memory level, the same Redis. Its identical turns make no request.
    const second = llmModel(domain, endpoint, { cache: toolCacheResponses(await workerCache("shared"), 60_000) });
    const other = engineFor(domain, fixedPlanner(notePlan()), second);
    const two = await other.engine.execute({ runId: "b1", task: task() });
    expect(two.status === "succeeded" && two.result.output).toBe("The note says 12.5M CNY.");
    expect(fake.requests).toHaveLength(2);
    // A reused answer cost nothing: its journaled decisions carry no usage.
    const decisions = (await other.journal.load("b1")).filter((s) => s.kind === "model_call");
    expect(decisions).toHaveLength(2);
    expect(decisions.every((s) => (s.output as { usage?: unknown }).usage === undefined)).toBe(true);
  });

  it("does not keep an unusable answer", async () => {
    const broken = toolCall("notes_read", "{oops");
    fake = await startFakeOpenAI(inOrder(broken, broken, broken, text("fine now")));
    const domain = testDomain();
    const { endpoint } = testEndpoint(fake.baseUrl);
    const model = llmModel(domain, endpoint, { maxRepairs: 2, cache: toolCacheResponses(await workerCache("unusable"), 60_000) });
    const failed = await engineFor(domain, fixedPlanner(notePlan()), model).engine.execute({ runId: "u1", task: task("an unusable turn") });
    expect(failed.status).toBe("failed");
    expect(fake.requests).toHaveLength(3);
    const retried = await engineFor(domain, fixedPlanner(notePlan()), model).engine.execute({ runId: "u2", task: task("an unusable turn") });
    expect(retried.status === "succeeded" && retried.result.output).toBe("fine now");
  });
});
