import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import { deriveRunEvents } from "../../src/api/run-events.js";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi;
let auth: Record<string, string>;
beforeEach(async () => {
  t = await makeApi();
  auth = bearer(await token());
});
afterEach(async () => {
  await t.close();
});

/** A run submitted through the API and put to sleep by a worker, as a tool's `ctx.sleep` leaves it. */
async function sleepingRun(wakeAt: Date): Promise<string> {
  const res = await t.api.app.inject({ method: "POST", url: "/v1/tasks", headers: { ...auth, "content-type": "application/json" }, payload: JSON.stringify({ description: "wait a while" }) });
  const id = res.json<{ id: string }>().id;
  const [lease] = await t.store.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
  if (!lease) throw new Error("nothing claimed");
  await t.store.recordAll(lease, [
    { runId: id, key: "subtask/a/call/0", kind: "tool_call", status: "succeeded", input: { tool: "nap", input: {} }, output: {}, attempts: 1, startedAt: new Date(), finishedAt: new Date() },
    { runId: id, key: "subtask/a/sleep/0", kind: "sleep", status: "started", input: { tool: "nap" }, output: { wakeAt: wakeAt.toISOString() }, startedAt: new Date() },
  ]);
  await t.store.sleep(lease, wakeAt);
  return id;
}

describe("sleeping runs through the API", () => {
  it("shows the status sleeping with the wake time, and the timer among the steps and events", async () => {
    const wakeAt = new Date(Date.now() + 3_600_000);
    const id = await sleepingRun(wakeAt);
    const res = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth });
    expect(res.statusCode).toBe(200);
    const run = schemas.RunDetailSchema.parse(res.json());
    expect(run).toMatchObject({ status: "sleeping", wakeAt: wakeAt.toISOString() });

    const stored = await t.store.get(id);
    if (!stored) throw new Error("run gone");
    const events = deriveRunEvents(stored, await t.store.load(id), { status: "running", count: 1 });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["timer.started", "run.sleeping"]));
  });

  it("cancels a sleeping run at once; it is never claimed again", async () => {
    const id = await sleepingRun(new Date(Date.now() - 1));
    const res = await t.api.app.inject({ method: "POST", url: `/v1/tasks/${id}/cancel`, headers: auth });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: "cancelled", wakeAt: null });
    // Its timer is already due: a claim would take it, were it not cancelled.
    expect(await t.store.claim({ workerId: "w2", leaseMs: 60_000, limit: 5, maxCrashes: 3 })).toEqual([]);
  });

  it("lists sleeping runs by status", async () => {
    const id = await sleepingRun(new Date(Date.now() + 60_000));
    const res = await t.api.app.inject({ method: "GET", url: "/v1/tasks?status=sleeping", headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ items: { id: string }[] }>().items.map((r) => r.id)).toEqual([id]);
  });
});
