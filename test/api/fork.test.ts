import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import type { Step } from "../../src/core/index.js";
import { bearer, makeApi, testCatalog, testRunId, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi;
let woken: string[];
let auth: Record<string, string>;
let forkIds: number;
beforeEach(async () => {
  woken = [];
  forkIds = 100;
  t = await makeApi({}, undefined, { onSubmitted: (runId: string) => void woken.push(runId), newRunId: () => testRunId(++forkIds) });
  auth = { ...bearer(await token({ tenant: "acme", sub: "alice" })), "content-type": "application/json" };
});
afterEach(async () => {
  await t.close();
});

const agent = () => testCatalog().agents[0]?.name ?? "none";
const plan = () => ({ source: "template", language: "en", params: {}, subtasks: [{ id: "fetch", title: "Fetch", agent: agent(), instructions: "", dependsOn: [], tool: "x", input: {} }] });

/** A finished run of `tenant` with a plan, a tool call, an approval and the subtask's end. */
async function finishedRun(n: number, tenant = "acme"): Promise<string> {
  const runId = testRunId(n);
  await t.store.submitAudited({ description: "report", tenant, input: { quarter: "Q1" } }, { runId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant });
  const [lease] = await t.store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId });
  if (!lease) throw new Error(`could not claim ${runId}`);
  const at = new Date();
  const steps: Step[] = [
    { runId, key: "plan", kind: "plan", status: "succeeded", output: plan(), startedAt: at },
    { runId, key: "subtask/fetch/call/0", kind: "tool_call", status: "succeeded", input: { tool: "x", input: {} }, output: { rows: 3 }, startedAt: at },
    { runId, key: "subtask/fetch/approval/1", kind: "approval", status: "succeeded", input: { tool: "pay" }, output: { approved: true }, startedAt: at },
    { runId, key: "subtask/fetch/done", kind: "subtask", status: "succeeded", output: { output: "done", artifacts: [] }, startedAt: at },
  ];
  await t.store.recordAll(lease, steps);
  await t.store.transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: "done" } });
  return runId;
}

const fork = (runId: string, body: unknown, headers = auth) => t.api.app.inject({ method: "POST", url: `/v1/tasks/${runId}/fork`, headers, payload: JSON.stringify(body) });
const forkAudits = async () => (await t.store.listAudit()).filter((e) => e.action === "task.forked");

describe("POST /v1/tasks/{id}/fork", () => {
  it("answers 202 with the new run, linked both ways, seeded, woken and audited; the parent unchanged", async () => {
    const parent = await finishedRun(1);
    const before = JSON.stringify(await t.store.load(parent));
    const res = await fork(parent, { step: "subtask/fetch/done", output: "replaced", input: { quarter: "Q2" } });
    expect(res.statusCode).toBe(202);
    const body = schemas.RunDetailSchema.parse(res.json());
    expect(body).toMatchObject({ status: "queued", input: { quarter: "Q2" }, forkedFrom: { runId: parent, step: "subtask/fetch/done" }, forks: [] });
    expect(res.headers.location).toBe(`/v1/tasks/${body.id}`);
    expect(body.id).not.toBe(parent);
    expect(woken).toEqual([body.id]);
    expect((await t.store.load(body.id)).map((s) => [s.key, s.status])).toEqual([
      ["plan", "succeeded"],
      ["subtask/fetch/call/0", "succeeded"],
      ["subtask/fetch/done", "succeeded"],
    ]);
    const view = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${parent}`, headers: auth });
    expect(view.json()).toMatchObject({ status: "succeeded", forkedFrom: null, forks: [{ id: body.id, status: "queued", step: "subtask/fetch/done" }] });
    expect(JSON.stringify(await t.store.load(parent))).toBe(before);
    expect((await forkAudits()).map((e) => [e.actor, e.target, e.details.parent, e.details.step])).toEqual([["alice", body.id, parent, "subtask/fetch/done"]]);
  });

  it("refuses an unknown step naming the run's steps, an output a step cannot take, a plan that is not one, and a bad input; nothing written", async () => {
    const parent = await finishedRun(2);
    const unknown = await fork(parent, { step: "subtask/nope/done" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ code: string; detail: string }>()).toMatchObject({ code: "INVALID_INPUT", detail: expect.stringContaining("subtask/fetch/call/0") });
    const approval = await fork(parent, { step: "subtask/fetch/approval/1", output: { approved: false } });
    expect(approval.statusCode).toBe(400);
    expect(approval.json<{ detail: string }>().detail).toContain("approval step");
    const badPlan = await fork(parent, { step: "plan", output: { source: "template", language: "en", subtasks: [{ id: "a", title: "A", agent: "no-such-agent", dependsOn: ["ghost"] }] } });
    expect(badPlan.statusCode).toBe(400);
    expect(badPlan.json<{ detail: string }>().detail).toMatch(/^body\.output: not a valid plan/);
    const badInput = await fork(parent, { step: "plan", input: "not an object" });
    expect(badInput.statusCode).toBe(400);
    const unknownField = await fork(parent, { step: "plan", outputs: 1 });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json<{ code: string }>().code).toBe("UNKNOWN_FIELDS");
    expect(await forkAudits()).toEqual([]);
    expect((await t.store.list({})).map((r) => r.id)).toEqual([parent]);
  });

  it("a valid replacement plan is taken", async () => {
    const parent = await finishedRun(3);
    const res = await fork(parent, { step: "plan", output: plan() });
    expect(res.statusCode).toBe(202);
    expect((await t.store.load(res.json<{ id: string }>().id)).map((s) => s.key)).toEqual(["plan"]);
  });

  it("is 404 for another tenant's run, and 403 without tasks:write", async () => {
    const parent = await finishedRun(4, "globex");
    const res = await fork(parent, { step: "plan" });
    expect(res.statusCode).toBe(404);
    const mine = await finishedRun(5);
    const readOnly = { ...bearer(await token({ tenant: "acme", scope: "tasks:read" })), "content-type": "application/json" };
    const refused = await fork(mine, { step: "plan" }, readOnly);
    expect(refused.statusCode).toBe(403);
    expect(await forkAudits()).toEqual([]);
  });

  it("the same Idempotency-Key gives the same fork; another body with it is 422; header and body keys must agree", async () => {
    const parent = await finishedRun(6);
    const keyed = { ...auth, "idempotency-key": "fork-once" };
    const first = await fork(parent, { step: "subtask/fetch/call/0", output: { rows: 9 } }, keyed);
    const again = await fork(parent, { step: "subtask/fetch/call/0", output: { rows: 9 } }, keyed);
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    const byBody = await fork(parent, { step: "subtask/fetch/call/0", output: { rows: 9 }, idempotencyKey: "fork-once" });
    expect(byBody.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    const other = await fork(parent, { step: "subtask/fetch/call/0", output: { rows: 1 } }, keyed);
    expect(other.statusCode).toBe(422);
    const mismatch = await fork(parent, { step: "plan", idempotencyKey: "other" }, keyed);
    expect(mismatch.statusCode).toBe(400);
    expect((await forkAudits()).length).toBe(1);
  });
});
