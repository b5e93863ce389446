import { TaskState } from "@a2a-js/sdk";
import type { TaskArtifactUpdateEvent } from "@a2a-js/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiDeps } from "../../src/api/index.js";
import { withLiveModelText } from "../../src/cli/live-model-text.js";
import { a2aDoor } from "../../src/doors/a2a/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { makeApi, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { TypingModel } from "../api/typing-model.js";
import { a2aClient, authOf, sendRequest, textPart, userMessage } from "./a2a-caller.js";

let t: TestApi;
let worker: Worker;
let base: string;
const model = new TypingModel({ holdFirst: true });

beforeAll(async () => {
  const door = a2aDoor({ authOn: true, version: "9.9.9", templates: createRuntime().templatePlanner.capabilities() });
  t = await makeApi({ eventsPollMs: 50 }, undefined, { doors: [door] } as Partial<ApiDeps>);
  const address = await t.api.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
  worker = new Worker({ store: t.store, engine: createRuntime({ model }).engine, concurrency: 1, pollMs: 50, onWritten: t.api.wake, onEvent: withLiveModelText(undefined, t.api.publish) });
  worker.start();
});

afterAll(async () => {
  await worker.stop(5_000);
  await t.close();
});

describe("A2A streaming: the model's text while it is written", () => {
  it("comes as artifact updates appended per decision, closed when the decision is journaled, never kept on the task", async () => {
    const client = await a2aClient(base);
    const stream = client.sendMessageStream(sendRequest(userMessage([textPart("生成季度财务报告")])), authOf(await token({ tenant: "acme" })));
    const live: TaskArtifactUpdateEvent[] = [];
    let runId = "";
    let finalState: TaskState | undefined;
    let firstSeenBeforeJournal: boolean | undefined;
    for await (const event of stream) {
      const payload = event.payload;
      if (payload?.$case === "task") {
        runId = payload.value.id;
        model.start();
      } else if (payload?.$case === "artifactUpdate" && payload.value.artifact?.artifactId.startsWith("model-output:")) {
        live.push(payload.value);
        if (live.length === 1) {
          // The model holds its first decision after its first piece: nothing of it is journaled yet.
          const stepKey = String(payload.value.artifact.metadata?.stepKey);
          firstSeenBeforeJournal = !(await t.store.load(runId)).some((s) => s.key === stepKey);
          model.release();
        }
      } else if (payload?.$case === "statusUpdate") finalState = payload.value.status?.state;
    }
    expect(finalState).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(firstSeenBeforeJournal).toBe(true);

    const modelSteps = (await t.store.load(runId)).filter((s) => s.kind === "model_call").map((s) => s.key);
    const byStep = new Map<string, TaskArtifactUpdateEvent[]>();
    for (const update of live) {
      const key = String(update.artifact?.metadata?.stepKey);
      byStep.set(key, [...(byStep.get(key) ?? []), update]);
    }
    expect(new Set(byStep.keys())).toEqual(new Set(modelSteps));
    for (const [stepKey, updates] of byStep) {
      expect(updates.map((u) => u.artifact?.artifactId)).toEqual(updates.map(() => `model-output:${stepKey}`));
      expect(updates.map((u) => u.append)).toEqual(updates.map((_, i) => i > 0));
      expect(updates.map((u) => u.lastChunk)).toEqual(updates.map((_, i) => i === updates.length - 1));
      const text = updates.map((u) => u.artifact?.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("")).join("");
      expect(text).toMatch(/^turn \d+: \S+ decides$/);
    }

    // Not kept: the task's artifacts are its files only.
    const task = await client.getTask({ tenant: "", id: runId, historyLength: undefined }, authOf(await token({ tenant: "acme" })));
    expect(task.artifacts.map((a) => a.artifactId)).toContain("report.md");
    expect(task.artifacts.some((a) => a.artifactId.startsWith("model-output:"))).toBe(false);
  });
});
