import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import { bearer, makeApi, seedApproval, testRunId, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi;
let now = new Date();
beforeEach(async () => {
  now = new Date();
  t = await makeApi({ approvals: { ttlMs: 3_600_000, requireSeparateApprover: true } });
});
afterEach(async () => {
  await t.close();
});

async function pending(sub = "bob") {
  const res = await t.api.app.inject({ method: "GET", url: "/v1/approvals?state=pending", headers: bearer(await token({ sub })) });
  return schemas.ApprovalListSchema.parse(res.json()).items;
}

async function decide(id: string, body: Record<string, unknown>, sub = "bob") {
  return t.api.app.inject({ method: "POST", url: `/v1/approvals/${id}`, headers: { ...bearer(await token({ sub })), "content-type": "application/json" }, payload: JSON.stringify(body) });
}

describe("approvals", () => {
  it("lists a pending sensitive call with its tool, arguments, hash and expiry", async () => {
    const seeded = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme", startedAt: now });
    const [approval] = await pending();
    expect(approval).toMatchObject({ runId: seeded.runId, stepKey: seeded.stepKey, kind: "sensitive_tool", tool: "payments.send", input: { amount: 100, to: "ACME Ltd" }, argsHash: seeded.argsHash });
    expect(Date.parse(approval?.expiresAt ?? "") - Date.parse(approval?.requestedAt ?? "")).toBe(3_600_000);
    const run = (await t.api.app.inject({ method: "GET", url: `/v1/tasks/${seeded.runId}`, headers: bearer(await token()) })).json();
    expect(run.pendingApprovals).toEqual([approval?.id]);
  });

  it("approves once: the step records who approved, the run is queued again, a replay is refused", async () => {
    const seeded = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme" });
    const [approval] = await pending();
    const res = await decide(approval?.id ?? "", { decision: "approve", argsHash: seeded.argsHash });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ decision: "approve", runStatus: "queued" });
    const step = (await t.store.load(seeded.runId)).find((s) => s.key === seeded.stepKey);
    expect(step).toMatchObject({ status: "succeeded", output: { approved: true, by: "bob" } });
    const replay = await decide(approval?.id ?? "", { decision: "approve", argsHash: seeded.argsHash });
    expect(replay.statusCode).toBe(409);
    expect(replay.json().code).toBe("NOT_AMBIGUOUS");
    expect((await t.store.listAudit()).map((e) => e.action)).toEqual(["task.submitted", "approval.approved"]);
  });

  it("denies: the step fails with the reason", async () => {
    const seeded = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme" });
    const [approval] = await pending();
    const res = await decide(approval?.id ?? "", { decision: "deny", argsHash: seeded.argsHash, reason: "wrong supplier" });
    expect(res.statusCode).toBe(200);
    const step = (await t.store.load(seeded.runId)).find((s) => s.key === seeded.stepKey);
    expect(step).toMatchObject({ status: "failed", error: { code: "DECIDED_FAILED", message: "wrong supplier" } });
    expect(await pending()).toEqual([]);
  });

  it("refuses a decision bound to other arguments, and leaves the request pending", async () => {
    await seedApproval(t.store, { runId: testRunId(1), tenant: "acme" });
    const [approval] = await pending();
    const res = await decide(approval?.id ?? "", { decision: "approve", argsHash: "0".repeat(64) });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("APPROVAL_MISMATCH");
    expect(await pending()).toHaveLength(1);
    expect((await t.store.listAudit()).map((e) => e.action)).toContain("approval.mismatch");
  });

  it("denies an expired request and answers 410", async () => {
    const seeded = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme", startedAt: new Date(Date.now() - 3_700_000) });
    const [approval] = await pending();
    const res = await decide(approval?.id ?? "", { decision: "approve", argsHash: seeded.argsHash });
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe("APPROVAL_EXPIRED");
    const step = (await t.store.load(seeded.runId)).find((s) => s.key === seeded.stepKey);
    expect(step?.status).toBe("failed");
    expect((await t.store.listAudit()).map((e) => e.action)).toContain("approval.expired");
  });

  it("does not let the submitter approve its own sensitive step when a separate approver is required", async () => {
    const seeded = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme", submittedBy: "alice" });
    const [approval] = await pending("alice");
    const own = await decide(approval?.id ?? "", { decision: "approve", argsHash: seeded.argsHash }, "alice");
    expect(own.statusCode).toBe(403);
    expect(own.json().code).toBe("SEPARATE_APPROVER_REQUIRED");
    expect((await decide(approval?.id ?? "", { decision: "approve", argsHash: seeded.argsHash }, "bob")).statusCode).toBe(200);
  });

  it("lets the submitter approve when separate approvers are not required", async () => {
    await t.close();
    t = await makeApi({ approvals: { ttlMs: 3_600_000, requireSeparateApprover: false } });
    const seeded = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme", submittedBy: "alice" });
    const [approval] = await pending("alice");
    expect((await decide(approval?.id ?? "", { decision: "approve", argsHash: seeded.argsHash }, "alice")).statusCode).toBe(200);
  });

  it("retries an ambiguous call on approve (the step is forgotten and the run queued)", async () => {
    const seeded = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme", kind: "tool_call" });
    const [approval] = await pending();
    expect(approval).toMatchObject({ kind: "ambiguous_call", argsHash: seeded.argsHash });
    expect((await decide(approval?.id ?? "", { decision: "approve", argsHash: seeded.argsHash }, "alice")).statusCode).toBe(200);
    expect(await t.store.load(seeded.runId)).toEqual([]);
    expect((await t.store.get(seeded.runId))?.status).toBe("queued");
  });

  it("refuses approval state in the body and ids that are not approvals", async () => {
    const seeded = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme" });
    const [approval] = await pending();
    const extra = await decide(approval?.id ?? "", { decision: "approve", argsHash: seeded.argsHash, state: "approved" });
    expect(extra.json()).toMatchObject({ code: "UNKNOWN_FIELDS", detail: "unknown body field: state" });
    expect((await decide(`${seeded.runId}.${Buffer.from("plan").toString("base64url")}`, { decision: "approve", argsHash: seeded.argsHash })).statusCode).toBe(404);
    expect(await pending()).toHaveLength(1);
  });
});
