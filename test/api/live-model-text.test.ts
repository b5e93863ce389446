import { afterEach, describe, expect, it } from "vitest";
import type { AgentModel } from "../../src/agents/index.js";
import { withLiveModelText } from "../../src/cli/live-model-text.js";
import { CsAgentsClient } from "../../src/client/index.js";
import type { ModelTextDelta, RunEvent } from "../../src/client/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";
import { TypingModel } from "./typing-model.js";

let t: TestApi | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.stop(5_000);
  await t?.close();
  worker = undefined;
  t = undefined;
});

async function start(model: AgentModel): Promise<{ client: CsAgentsClient; base: string; api: TestApi }> {
  const api = await makeApi({ eventsPollMs: 50 });
  t = api;
  const address = await api.api.listen(0, "127.0.0.1");
  const base = `http://127.0.0.1:${address.port}`;
  worker = new Worker({ store: api.store, engine: createRuntime({ model }).engine, concurrency: 1, pollMs: 50, onWritten: api.api.wake, onEvent: withLiveModelText(undefined, api.api.publish) });
  worker.start();
  const jwt = await token({ tenant: "acme" });
  return { client: new CsAgentsClient({ baseUrl: base, token: jwt }), base, api };
}

describe("the model's text, live in the event stream", () => {
  it("reaches a client while the model is still generating, is not stored, and the journaled step holds the decision", async () => {
    const model = new TypingModel({ holdFirst: true });
    const { client, api } = await start(model);
    const { run } = await client.submit({ description: "生成季度财务报告" });
    const deltas: ModelTextDelta[] = [];
    let firstDelta: () => void = () => undefined;
    const sawFirst = new Promise<void>((resolve) => (firstDelta = resolve));
    const events: RunEvent[] = [];
    const following = (async () => {
      for await (const event of client.events(run.id, {
        onModelText: (delta) => {
          deltas.push(delta);
          firstDelta();
        },
      })) {
        events.push(event);
        model.start();
      }
    })();

    await sawFirst;
    // The model has not finished its first decision: nothing of it is journaled yet.
    const stepKey = deltas[0]?.stepKey ?? "";
    expect(deltas[0]).toMatchObject({ text: "turn 1: ", stepKey: expect.stringMatching(/^subtask\/[^/]+\/model\/\d+$/) as unknown });
    expect((await api.store.load(run.id)).some((s) => s.key === stepKey)).toBe(false);
    model.release();
    await following;

    expect(events.at(-1)?.type).toBe("run.succeeded");
    // Every decision streamed; its pieces in order make the text the model produced.
    const turnOne = deltas.filter((d) => d.stepKey === stepKey).map((d) => d.text).join("");
    expect(turnOne).toMatch(/^turn 1: \S+ decides$/);
    const steps = await api.store.load(run.id);
    const modelSteps = steps.filter((s) => s.kind === "model_call");
    expect(new Set(deltas.map((d) => d.stepKey))).toEqual(new Set(modelSteps.map((s) => s.key)));
    // Not stored: the run's event log has no piece of the stream.
    const logged = await api.store.listRunEvents(run.id, 0);
    expect(logged.some((e) => e.type === "model.delta")).toBe(false);
    expect(JSON.stringify(logged)).not.toContain("decides");
  });

  it("sends pieces without an id, so a client resuming with Last-Event-ID gets exactly the journaled events after it", async () => {
    const model = new TypingModel({ holdFirst: true });
    const { client, base, api } = await start(model);
    const { run } = await client.submit({ description: "生成季度财务报告" });
    const jwt = await token({ tenant: "acme" });
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/tasks/${run.id}/events`, { headers: bearer(jwt), signal: controller.signal });
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("event: model.delta")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (/^id: /m.test(text)) model.start();
    }
    const blocks = text.split("\n\n");
    const delta = blocks.find((b) => b.includes("event: model.delta")) ?? "";
    expect(delta).not.toMatch(/^id:/m);
    expect(JSON.parse(/^data: (.*)$/m.exec(delta)?.[1] ?? "{}")).toMatchObject({ text: "turn 1: " });
    const lastId = Math.max(0, ...blocks.map((b) => Number(/^id: (\d+)$/m.exec(b)?.[1] ?? 0)));
    controller.abort();
    model.release();

    const resumed: RunEvent[] = [];
    for await (const event of client.events(run.id, { lastEventId: lastId })) resumed.push(event);
    const logged = await api.store.listRunEvents(run.id, lastId);
    expect(resumed.map((e) => e.id)).toEqual(logged.map((e) => e.id));
    expect(resumed.at(-1)?.type).toBe("run.succeeded");
  });

  it("gives no piece of another tenant's run", async () => {
    const model = new TypingModel({ holdFirst: true });
    const { client, base } = await start(model);
    const { run } = await client.submit({ description: "生成季度财务报告" });
    const other = await token({ tenant: "globex" });
    const res = await fetch(`${base}/v1/tasks/${run.id}/events`, { headers: bearer(other) });
    expect(res.status).toBe(404);
    await res.body?.cancel();
    model.release();
  });
});
