import { afterEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { liveChannel, redisLiveRelay } from "../../src/api/live-relay.js";
import { liveRedis, livePublisher, withLiveModelText } from "../../src/cli/live-model-text.js";
import { CsAgentsClient } from "../../src/client/index.js";
import type { ModelTextDelta, RunEvent } from "../../src/client/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { REDIS_URL, requireRedis } from "../cache/redis-test-support.js";
import { makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";
import { TypingModel } from "./typing-model.js";

const redisUp = await requireRedis("live events across processes (live-relay.test.ts)");

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

describe.runIf(redisUp)("live events across processes (Redis pub/sub)", () => {
  it("a client of one replica gets the model's text of a run executed by a worker of another process", async () => {
    // Replica B serves the client; the run executes on a worker that serves nothing (cs-agents worker).
    const store = SqliteStore.open(":memory:");
    const live = liveRedis(REDIS_URL);
    const b: TestApi = await makeApi({ eventsPollMs: 50 }, store, { live });
    const address = await b.api.listen(0, "127.0.0.1");
    const publisher = livePublisher(REDIS_URL);
    const relay = redisLiveRelay(publisher, undefined);
    const model = new TypingModel({ awaitDelivery: true });
    const worker = new Worker({ store, engine: createRuntime({ model }).engine, concurrency: 1, pollMs: 50, onEvent: withLiveModelText(undefined, (runId, event) => relay.publish(runId, event)) });
    cleanup.push(
      () => b.close(),
      () => live.disconnect(),
      () => publisher.disconnect(),
    );
    cleanup.push(() => worker.stop(5_000));
    worker.start();

    const client = new CsAgentsClient({ baseUrl: `http://127.0.0.1:${address.port}`, token: await token({ tenant: "acme" }) });
    const { run } = await client.submit({ description: "生成季度财务报告" });
    const deltas: ModelTextDelta[] = [];
    const events: RunEvent[] = [];
    const following = client.events(run.id, {
      onModelText: (d) => {
        deltas.push(d);
        if (d.text.endsWith(" decides")) model.received();
      },
    });
    const followed = (async () => {
      for await (const event of following) events.push(event);
    })();
    await waitForSubscriber(liveChannel(run.id));
    model.start();
    await followed;
    expect(events.at(-1)?.type).toBe("run.succeeded");
    const modelSteps = (await store.load(run.id)).filter((s) => s.kind === "model_call");
    expect(modelSteps.length).toBeGreaterThan(0);
    // Every decision's text arrived, whole and in order, through Redis.
    for (const step of modelSteps) {
      const text = deltas.filter((d) => d.stepKey === step.key).map((d) => d.text).join("");
      expect(text).toMatch(/^turn \d+: \S+ decides$/);
    }
  });

  it("delivers another process's live events once, and neither junk on the channel nor its own echo", async () => {
    const subscriber = new Redis(REDIS_URL);
    const publisher = new Redis(REDIS_URL);
    cleanup.push(
      () => subscriber.disconnect(),
      () => publisher.disconnect(),
    );
    const delivered: unknown[] = [];
    const relay = redisLiveRelay(publisher, subscriber, (runId, event) => delivered.push({ runId, event }));
    relay.follow("run-x");
    await waitForSubscriber(liveChannel("run-x"));
    for (const junk of ["not json", "[]", JSON.stringify({ type: "run.succeeded", data: {} }), JSON.stringify({ type: "model.delta", data: [] })]) await publisher.publish(liveChannel("run-x"), junk);
    // Its own event was handed to its streams directly; the echo is not delivered again.
    relay.publish("run-x", { type: "model.delta", data: { text: "mine" } });
    const otherProcess = redisLiveRelay(publisher, undefined);
    otherProcess.publish("run-x", { type: "model.delta", data: { text: "ok" } });
    // Published after the echo on the same connection, so it arrives after it.
    await expect.poll(() => delivered.length).toBe(1);
    expect(delivered).toEqual([{ runId: "run-x", event: { type: "model.delta", data: { text: "ok" } } }]);
  });
});

/** Resolves once some connection has subscribed to `channel`. */
async function waitForSubscriber(channel: string): Promise<void> {
  const probe = new Redis(REDIS_URL);
  try {
    for (;;) {
      const [, count] = (await probe.pubsub("NUMSUB", channel)) as [string, number];
      if (Number(count) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    probe.disconnect();
  }
}
