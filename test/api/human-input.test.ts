import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { schemas } from "../../src/api/index.js";
import { deriveRunEvents } from "../../src/api/run-events.js";
import { bearer, makeApi, testRunId, token } from "./harness.js";
import type { TestApi } from "./harness.js";

const STEP = "subtask/seat/input/0";
const SCHEMA = z.toJSONSchema(z.object({ seat: z.string().regex(/^\d{1,2}[A-F]$/) })) as Record<string, unknown>;

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

/** A run of `tenant` waiting for an answer to "Which seat?", as a tool's `ctx.ask` leaves it. */
async function waitingRun(n: number, tenant = "acme"): Promise<string> {
  const runId = testRunId(n);
  await t.store.submitAudited({ description: "book a seat", tenant }, { runId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant });
  const [lease] = await t.store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId });
  if (!lease) throw new Error(`could not claim ${runId}`);
  await t.store.record(lease, { runId, key: STEP, kind: "input", status: "started", input: { tool: "book", question: "Which seat?", schema: SCHEMA }, startedAt: new Date() });
  await t.store.sleep(lease, null, "waiting_input");
  return runId;
}

const answer = (runId: string, body: unknown, headers = auth) => t.api.app.inject({ method: "POST", url: `/v1/tasks/${runId}/input`, headers, payload: JSON.stringify(body) });

async function answeredAudits(): Promise<number> {
  return (await t.store.listAudit()).filter((e) => e.action === "input.answered").length;
}

describe("human input through the API", () => {
  it("shows a waiting run's open question, lists it by status, and derives its events", async () => {
    const id = await waitingRun(1);
    const res = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(schemas.RunDetailSchema.parse(res.json())).toMatchObject({ status: "waiting_input", questions: [{ step: STEP, question: "Which seat?", schema: SCHEMA }] });
    const listed = await t.api.app.inject({ method: "GET", url: "/v1/tasks?status=waiting_input", headers: auth });
    expect(listed.json<{ items: { id: string }[] }>().items.map((r) => r.id)).toEqual([id]);

    const stored = await t.store.get(id);
    if (!stored) throw new Error("run gone");
    const events = deriveRunEvents(stored, await t.store.load(id), { status: "running", count: 1 });
    expect(events.find((e) => e.type === "input.requested")?.data).toMatchObject({ stepKey: STEP, question: "Which seat?" });
    expect(events.map((e) => e.type)).toContain("run.waiting_input");
  });

  it("records a valid answer, queues the run again, wakes it, audits who answered, and shows input.answered", async () => {
    const id = await waitingRun(2);
    const res = await answer(id, { step: STEP, answer: { seat: "12C" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ runId: id, step: STEP, runStatus: "queued" });
    expect((await t.store.load(id)).find((s) => s.key === STEP)).toMatchObject({ status: "succeeded", output: { answer: { seat: "12C" }, by: "person" } });
    expect(woken).toEqual([id]);
    const entry = (await t.store.listAudit()).find((e) => e.action === "input.answered");
    expect(entry).toMatchObject({ actor: "alice", tenant: "acme", target: id, details: { stepKey: STEP, tool: "book" } });

    const after = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth });
    expect(after.json()).toMatchObject({ status: "queued", questions: [] });
    const stored = await t.store.get(id);
    if (!stored) throw new Error("run gone");
    expect(deriveRunEvents(stored, await t.store.load(id), undefined).map((e) => e.type)).toContain("input.answered");
  });

  it("refuses an answer that does not fit the schema with 400 and the path to the problem, changing nothing", async () => {
    const id = await waitingRun(3);
    const res = await answer(id, { step: STEP, answer: { seat: "row 12" } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "INVALID_INPUT", detail: expect.stringContaining("body.answer.seat") });
    const missing = await answer(id, { step: STEP });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ detail: string }>().detail).toContain("answer");
    expect(await t.store.get(id)).toMatchObject({ status: "waiting_input" });
    expect((await t.store.load(id)).find((s) => s.key === STEP)).toMatchObject({ status: "started" });
    expect(await answeredAudits()).toBe(0);
    expect(woken).toEqual([]);
  });

  it("answers 409 for a step that is not waiting: answered already, unknown, or not a question", async () => {
    const id = await waitingRun(4);
    expect((await answer(id, { step: STEP, answer: { seat: "1A" } })).statusCode).toBe(200);
    const twice = await answer(id, { step: STEP, answer: { seat: "2B" } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ code: "INPUT_NOT_WAITING" });
    expect((await answer(id, { step: "subtask/seat/input/9", answer: {} })).json()).toMatchObject({ code: "INPUT_NOT_WAITING" });
    expect((await t.store.load(id)).find((s) => s.key === STEP)).toMatchObject({ output: { answer: { seat: "1A" } } });
    expect(await answeredAudits()).toBe(1);
  });

  it("does not find another tenant's run (404), and its question stays open", async () => {
    const id = await waitingRun(5, "globex");
    const res = await answer(id, { step: STEP, answer: { seat: "3D" } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "NOT_FOUND" });
    expect(await t.store.get(id)).toMatchObject({ status: "waiting_input" });
    expect(await answeredAudits()).toBe(0);
  });

  it("needs the approvals:write scope", async () => {
    const id = await waitingRun(6);
    const reader = { ...bearer(await token({ tenant: "acme", scope: "tasks:read tasks:write" })), "content-type": "application/json" };
    expect((await answer(id, { step: STEP, answer: { seat: "4E" } }, reader)).json()).toMatchObject({ code: "INSUFFICIENT_SCOPE" });
    expect(await t.store.get(id)).toMatchObject({ status: "waiting_input" });
  });
});
