import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { bearer, makeApi, takeSseEvents, token } from "./harness.js";
import type { SseEvent, TestApi } from "./harness.js";

/** Reads Server-Sent Events until the stream ends or `stopAfter` events arrived (then disconnects). */
async function readEvents(url: string, headers: Record<string, string>, stopAfter = Infinity): Promise<SseEvent[]> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const taken = takeSseEvents(buffer + decoder.decode(value, { stream: true }));
    buffer = taken.rest;
    for (const event of taken.events) {
      events.push(event);
      if (events.length >= stopAfter) {
        controller.abort();
        await reader.cancel().catch(() => undefined);
        return events;
      }
    }
  }
  return events;
}

let t: TestApi;
let base: string;
let auth: Record<string, string>;

beforeAll(async () => {
  t = await makeApi({ eventsPollMs: 20 });
  const address = await t.api.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
  auth = bearer(await token());
});
afterAll(async () => {
  await t.close();
});

describe("Server-Sent Events", () => {
  it("streams a run to its end; a reconnect with Last-Event-ID loses and repeats nothing", async () => {
    const submitted = await fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ description: "生成季度财务报告" }) });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const url = `${base}/v1/tasks/${id}/events`;

    const runtime = createRuntime();
    const worker = new Worker({ store: t.store, engine: runtime.engine, concurrency: 1, pollMs: 20 });
    const first = readEvents(url, auth, 3);
    worker.start();
    const before = await first;
    // Disconnected while the run goes on; resume from the last id seen.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const after = await readEvents(url, { ...auth, "last-event-id": String(before[before.length - 1]?.id) });
    await worker.stop(5_000);

    const whole = await readEvents(url, auth);
    expect(after.length).toBeGreaterThan(0);
    const stitched = [...before, ...after];
    expect(stitched.map((e) => e.id)).toEqual(whole.map((e) => e.id));
    expect(stitched).toEqual(whole);
    expect(whole.map((e) => e.id)).toEqual(whole.map((_, i) => i + 1));
    expect(whole.some((e) => e.event === "run.running" || e.event === "run.queued")).toBe(true);
    expect(whole.map((e) => e.event)).toContain("plan.created");
    expect(whole.map((e) => e.event)).toContain("subtask.finished");
    expect(whole[whole.length - 1]).toMatchObject({ event: "run.succeeded", data: { status: "succeeded" } });

    // Resuming after the final event ends at once with nothing.
    expect(await readEvents(url, { ...auth, "last-event-id": String(whole[whole.length - 1]?.id) })).toEqual([]);
  });

  it("tells when each subtask and each tool call starts, before it finishes", async () => {
    const submitted = await fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ description: "生成季度财务报告" }) });
    const { id } = (await submitted.json()) as { id: string };
    const runtime = createRuntime();
    const worker = new Worker({ store: t.store, engine: runtime.engine, concurrency: 1, pollMs: 20 });
    const streamed = readEvents(`${base}/v1/tasks/${id}/events`, auth);
    worker.start();
    const events = await streamed;
    await worker.stop(5_000);

    const types = events.map((e) => e.event);
    const plan = events.find((e) => e.event === "plan.created");
    const finished = events.filter((e) => e.event === "subtask.finished");
    expect(plan).toBeDefined();
    expect(finished).toHaveLength(3);
    for (const done of finished) {
      const subtaskId = done.data.subtaskId as string;
      const started = events.filter((e) => e.event === "subtask.started" && e.data.subtaskId === subtaskId);
      expect(started).toHaveLength(1);
      expect(started[0]?.id).toBeGreaterThan(plan?.id ?? Infinity);
      expect(started[0]?.id).toBeLessThan(done.id);
      expect(started[0]?.data).toMatchObject({ runId: id, subtaskId, agent: expect.any(String), startedAt: expect.any(String) });
      const calls = events.filter((e) => e.data.subtaskId === subtaskId && e.event.startsWith("tool."));
      expect(calls.length).toBeGreaterThan(0);
      for (const end of calls.filter((e) => e.event === "tool.finished")) {
        const start = calls.filter((e) => e.event === "tool.started" && e.data.stepKey === end.data.stepKey);
        expect(start).toHaveLength(1);
        expect(start[0]?.id).toBeGreaterThan(started[0]?.id ?? Infinity);
        expect(start[0]?.id).toBeLessThan(end.id);
        expect(start[0]?.data).toMatchObject({ tool: end.data.tool, startedAt: end.data.startedAt });
        expect(start[0]?.data).not.toHaveProperty("finishedAt");
      }
    }
    expect(types[types.length - 1]).toBe("run.succeeded");
  });

  it("answers another tenant's stream with 404, not a stream", async () => {
    const submitted = await fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ description: "x" }) });
    const { id } = (await submitted.json()) as { id: string };
    const res = await fetch(`${base}/v1/tasks/${id}/events`, { headers: bearer(await token({ tenant: "globex" })) });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });
});
