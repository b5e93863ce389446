import { describe, expect, it } from "vitest";
import { WebhookDeliverer } from "../../src/delivery/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { bearer, makeApi, token } from "../api/harness.js";
import { startReceiver } from "./receiver.js";

const SECRET = "whsec_end_to_end_0123456789";

describe("a task submitted with a callbackUrl, run by a worker", () => {
  it("is POSTed to the receiver once it succeeds, signed, with the report's output; GET shows it delivered", async () => {
    const receiver = await startReceiver(SECRET);
    const t = await makeApi({ webhooks: { allowHttp: true, allowPrivate: true } });
    const worker = new Worker({ store: t.store, engine: createRuntime().engine, concurrency: 1, pollMs: 20 });
    const deliverer = new WebhookDeliverer(t.store.webhookDeliveries(), {
      policy: { allowHttp: true, allowPrivate: true },
      secrets: { byTenant: {}, fallback: SECRET },
      maxAttempts: 3,
      timeoutMs: 5_000,
      pollMs: 20,
      readRun: (runId) => t.store.get(runId),
    });
    try {
      const headers = { ...bearer(await token()), "content-type": "application/json" };
      const submitted = await t.api.app.inject({ method: "POST", url: "/v1/tasks", headers, payload: JSON.stringify({ description: "生成季度财务报告", callbackUrl: receiver.url }) });
      expect(submitted.statusCode).toBe(202);
      const id = submitted.json<{ id: string }>().id;
      worker.start();
      deliverer.start();
      await receiver.onRequest;
      const get = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: bearer(await token()) });
      await worker.stop(5_000);
      await deliverer.stop();

      expect(receiver.received).toHaveLength(1);
      const [request] = receiver.received;
      expect(request?.verified).toBe(true);
      expect(request?.id).toBe(`${id}:final`);
      const body = JSON.parse(request?.body ?? "{}") as { status?: string; runId?: string; result?: { output?: unknown } };
      expect(body).toMatchObject({ type: "run.finished", runId: id, status: "succeeded" });
      expect(body.result?.output).toEqual(get.json<{ result: { output: unknown } }>().result.output);
      const after = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: bearer(await token()) });
      expect(after.json()).toMatchObject({ status: "succeeded", callback: { url: receiver.url, status: "delivered", attempts: 1 } });
    } finally {
      await worker.stop(0);
      await deliverer.stop();
      await t.close();
      await receiver.close();
    }
  });
});
