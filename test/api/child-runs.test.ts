import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import { deriveRunEvents } from "../../src/api/run-events.js";
import { bearer, makeApi, SEAT_QUESTION, testRunId, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi;
let woken: string[];
let auth: Record<string, string>;
beforeEach(async () => {
  woken = [];
  t = await makeApi({}, undefined, { onDecided: (runId: string) => void woken.push(runId) });
  auth = { ...bearer(await token({ tenant: "acme", sub: "alice" })), "content-type": "application/json" };
});
afterEach(async () => {
  await t.close();
});

/**
 * A parent of `tenant` waiting for its child (subtask "kid"), and the child waiting for an answer
 * to "Which seat?", as the engine leaves them. Returns [parent, child].
 */
async function parentAndAskingChild(n: number, tenant = "acme"): Promise<[string, string]> {
  const [parentId, childId] = [testRunId(n), testRunId(n + 100)];
  await t.store.submitAudited({ description: "trip", tenant }, { runId: parentId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant });
  const [parent] = await t.store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId: parentId });
  if (!parent) throw new Error("no parent lease");
  await t.store.submit({ description: "book a seat", tenant, idempotencyKey: `child:${parentId}:subtask/kid/child/0` }, { runId: childId, parent: { runId: parentId, subtask: "kid" } });
  await t.store.record(parent, { runId: parentId, key: "subtask/kid/child/0", kind: "child", status: "started", input: { description: "book a seat" }, output: { runId: childId }, startedAt: new Date() });
  await t.store.sleep(parent, null, "waiting_children");
  const [child] = await t.store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId: childId });
  if (!child) throw new Error("no child lease");
  const { step, question, schema } = SEAT_QUESTION;
  await t.store.record(child, { runId: childId, key: step, kind: "input", status: "started", input: { tool: "book", question, schema }, startedAt: new Date() });
  await t.store.sleep(child, null, "waiting_input");
  return [parentId, childId];
}

const get = (id: string) => t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth });
const answer = (runId: string, body: unknown) => t.api.app.inject({ method: "POST", url: `/v1/tasks/${runId}/input`, headers: auth, payload: JSON.stringify(body) });

describe("child runs through the API", () => {
  it("shows a parent's children and its child's open question with the child's run id, and the child's parent", async () => {
    const [parentId, childId] = await parentAndAskingChild(1);
    const res = await get(parentId);
    expect(res.statusCode).toBe(200);
    const parent = schemas.RunDetailSchema.parse(res.json());
    expect(parent).toMatchObject({ status: "waiting_children", parent: null, children: [{ id: childId, status: "waiting_input", subtask: "kid" }] });
    expect(parent.questions).toEqual([{ step: SEAT_QUESTION.step, question: "Which seat?", schema: SEAT_QUESTION.schema, runId: childId }]);
    const child = schemas.RunDetailSchema.parse((await get(childId)).json());
    expect(child).toMatchObject({ parent: { id: parentId, subtask: "kid" }, children: [], questions: [{ step: SEAT_QUESTION.step }] });
    expect(child.questions[0]?.runId).toBeUndefined();
    const listed = await t.api.app.inject({ method: "GET", url: "/v1/tasks?status=waiting_children", headers: auth });
    expect(listed.json<{ items: { id: string }[] }>().items.map((r) => r.id)).toEqual([parentId]);
  });

  it("derives child.started on the parent's event stream from its child step", async () => {
    const [parentId, childId] = await parentAndAskingChild(2);
    const run = await t.store.get(parentId);
    if (!run) throw new Error("run gone");
    const started = deriveRunEvents(run, await t.store.load(parentId), undefined).find((e) => e.type === "child.started");
    expect(started?.data).toMatchObject({ runId: parentId, subtaskId: "kid", stepKey: "subtask/kid/child/0", childRunId: childId });
  });

  it("answers the child's question through the parent: journaled on the child, the child queued again, the parent still waiting", async () => {
    const [parentId, childId] = await parentAndAskingChild(3);
    const res = await answer(parentId, { step: SEAT_QUESTION.step, runId: childId, answer: { seat: "12C" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ runId: childId, step: SEAT_QUESTION.step, runStatus: "queued" });
    expect((await t.store.load(childId)).find((s) => s.key === SEAT_QUESTION.step)).toMatchObject({ status: "succeeded", output: { answer: { seat: "12C" }, by: "person" } });
    expect(woken).toEqual([childId]);
    expect((await t.store.get(parentId))?.status).toBe("waiting_children");
    expect(schemas.RunDetailSchema.parse((await get(parentId)).json()).questions).toEqual([]);
  });

  it("answers the child's question on the child itself", async () => {
    const [, childId] = await parentAndAskingChild(4);
    const res = await answer(childId, { step: SEAT_QUESTION.step, answer: { seat: "1A" } });
    expect(res.json()).toMatchObject({ runId: childId, runStatus: "queued" });
  });

  it("refuses a runId outside the parent's tree with 400, and another tenant's with 404, changing nothing", async () => {
    const [parentId] = await parentAndAskingChild(5);
    const [, otherChild] = await parentAndAskingChild(6);
    const outside = await answer(parentId, { step: SEAT_QUESTION.step, runId: otherChild, answer: { seat: "2B" } });
    expect(outside.statusCode).toBe(400);
    expect(outside.json()).toMatchObject({ code: "INVALID_INPUT", detail: expect.stringContaining("body.runId") as string });
    const [globexParent, globexChild] = await parentAndAskingChild(7, "globex");
    expect((await answer(parentId, { step: SEAT_QUESTION.step, runId: globexChild, answer: { seat: "2B" } })).statusCode).toBe(404);
    expect((await get(globexParent)).statusCode).toBe(404);
    expect((await t.store.get(otherChild))?.status).toBe("waiting_input");
    expect((await t.store.get(globexChild))?.status).toBe("waiting_input");
    expect(woken).toEqual([]);
  });

  it("cancelling the parent through the API cancels its child", async () => {
    const [parentId, childId] = await parentAndAskingChild(8);
    const res = await t.api.app.inject({ method: "POST", url: `/v1/tasks/${parentId}/cancel`, headers: { authorization: auth["authorization"] ?? "" } });
    expect(res.statusCode).toBe(202);
    expect((await t.store.get(childId))?.status).toBe("cancelled");
    expect(schemas.RunDetailSchema.parse((await get(parentId)).json()).children).toEqual([{ id: childId, status: "cancelled", subtask: "kid" }]);
  });
});
