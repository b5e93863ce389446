import { afterEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import type { Checkpoint } from "../../src/audit/index.js";
import { bearer, makeApi, seedApproval, seedSteps, testRunId, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const PRICES = { "m-1": { inputPerMillion: 2, outputPerMillion: 8 } };
const BUDGET = { maxTokens: 10_000, maxToolCalls: 20, maxMs: 60_000, maxCost: 1 };

async function get(url: string, tenant = "acme") {
  return t!.api.app.inject({ method: "GET", url, headers: bearer(await token({ tenant })) });
}

describe("GET /v1/tasks/{id}/steps", () => {
  it("shows each step's input, output, retries, error, cache hit, tokens and cost, and the run's budget use", async () => {
    t = await makeApi({ runBudget: { ...BUDGET, prices: PRICES } });
    await seedSteps(t.store, testRunId(1));
    const res = await get(`/v1/tasks/${testRunId(1)}/steps`);
    expect(res.statusCode).toBe(200);
    const body = schemas.StepListSchema.parse(res.json());
    expect(body.items.map((s) => s.key)).toEqual(["plan", "subtask/fetch/model/0", "subtask/fetch/call/0", "subtask/fetch/call/1"]);
    const [, model, hit, failed] = body.items;
    expect(model).toMatchObject({ kind: "model_call", model: "m-1", subtaskId: "fetch", usage: { inputTokens: 1_000, outputTokens: 500, totalTokens: 1_500 }, durationMs: 30 });
    expect(model?.cost).toBeCloseTo((1_000 * 2 + 500 * 8) / 1_000_000, 12);
    expect(model?.output).toMatchObject({ type: "call", tool: "ledger.query" });
    expect(hit).toMatchObject({ tool: "ledger.query", cached: true, attempts: 0, output: { rows: 3 }, input: { tool: "ledger.query", input: { quarter: "2025Q2" } } });
    expect(failed).toMatchObject({ cached: false, attempts: 3, status: "failed", error: { code: "TOOL_TIMEOUT" }, durationMs: 300 });
    expect(body.usage).toMatchObject({ tokens: { inputTokens: 1_000, outputTokens: 500, totalTokens: 1_500 }, toolCalls: 2 });
    expect(body.usage.cost).toBeCloseTo(0.006, 12);
    expect(body.budget).toEqual(BUDGET);
  });

  it("names the approval an ambiguous step is decided with, and no budget when none is set", async () => {
    t = await makeApi();
    const seeded = await seedApproval(t.store, { runId: testRunId(2), tenant: "acme", kind: "tool_call" });
    const body = schemas.StepListSchema.parse((await get(`/v1/tasks/${testRunId(2)}/steps`)).json());
    const [approvals] = [schemas.ApprovalListSchema.parse((await get("/v1/approvals")).json()).items];
    expect(body.items).toEqual([expect.objectContaining({ key: seeded.stepKey, status: "ambiguous", approvalId: approvals?.[0]?.id })]);
    expect(body.budget).toEqual({ maxTokens: 0, maxToolCalls: 0, maxMs: 0, maxCost: 0 });
  });

  it("answers not found for another tenant's run", async () => {
    t = await makeApi();
    await seedSteps(t.store, testRunId(3));
    const res = await get(`/v1/tasks/${testRunId(3)}/steps`, "globex");
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("NOT_FOUND");
  });
});

describe("deciding an ambiguous call as done", () => {
  async function decide(id: string, body: Record<string, unknown>) {
    return t!.api.app.inject({ method: "POST", url: `/v1/approvals/${id}`, headers: { ...bearer(await token({ sub: "bob" })), "content-type": "application/json" }, payload: JSON.stringify(body) });
  }

  it("records the output a person gives and queues the run again", async () => {
    t = await makeApi();
    const seeded = await seedApproval(t.store, { runId: testRunId(4), tenant: "acme", kind: "tool_call" });
    const [approval] = schemas.ApprovalListSchema.parse((await get("/v1/approvals")).json()).items;
    const res = await decide(approval?.id ?? "", { decision: "done", argsHash: seeded.argsHash, output: { paid: true, ref: "T-1" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ decision: "done", runStatus: "queued" });
    const step = (await t.store.load(seeded.runId)).find((s) => s.key === seeded.stepKey);
    expect(step).toMatchObject({ status: "succeeded", output: { paid: true, ref: "T-1" } });
    expect((await t.store.listAudit()).map((e) => e.action)).toContain("approval.done");
  });

  it("refuses done without an output, and done for a sensitive call, changing nothing", async () => {
    t = await makeApi();
    const ambiguous = await seedApproval(t.store, { runId: testRunId(5), tenant: "acme", kind: "tool_call" });
    const sensitive = await seedApproval(t.store, { runId: testRunId(6), tenant: "acme" });
    const items = schemas.ApprovalListSchema.parse((await get("/v1/approvals")).json()).items;
    const idOf = (runId: string) => items.find((a) => a.runId === runId)?.id ?? "";
    const missing = await decide(idOf(ambiguous.runId), { decision: "done", argsHash: ambiguous.argsHash });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: "INVALID_INPUT", detail: expect.stringContaining("needs output") });
    const wrongKind = await decide(idOf(sensitive.runId), { decision: "done", argsHash: sensitive.argsHash, output: {} });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json().detail).toContain("approved or denied");
    expect(schemas.ApprovalListSchema.parse((await get("/v1/approvals")).json()).items).toHaveLength(2);
  });
});

describe("GET /v1/audit/verification", () => {
  it("says verified up to the head, and the last signed checkpoint", async () => {
    let checkpoints: Checkpoint[] = [];
    t = await makeApi({}, undefined, { auditCheckpoints: () => checkpoints });
    await seedSteps(t.store, testRunId(7));
    await seedSteps(t.store, testRunId(8));
    const head = await t.store.auditHead();
    checkpoints = [{ version: 1, seq: 1, hash: (await t.store.listAudit({ afterSeq: 0, limit: 1 }))[0]?.hash ?? "", at: "2026-01-01T00:00:00.000Z", keyId: "k", signature: "s" }];
    const res = await get("/v1/audit/verification");
    expect(res.statusCode).toBe(200);
    expect(schemas.AuditVerificationSchema.parse(res.json())).toMatchObject({ ok: true, entries: 2, head: { seq: 2, hash: head?.hash }, checkpoints: 1, lastCheckpoint: { seq: 1 }, brokenAt: null });
  });

  it("names the first entry that does not verify when a checkpoint disagrees with the chain", async () => {
    const checkpoints: Checkpoint[] = [{ version: 1, seq: 1, hash: "f".repeat(64), at: "2026-01-01T00:00:00.000Z", keyId: "k", signature: "s" }];
    t = await makeApi({}, undefined, { auditCheckpoints: () => checkpoints });
    await seedSteps(t.store, testRunId(9));
    const body = schemas.AuditVerificationSchema.parse((await get("/v1/audit/verification")).json());
    expect(body).toMatchObject({ ok: false, entries: 0, brokenAt: 1, reason: expect.stringContaining("checkpoint") });
  });

  it("needs the admin scope", async () => {
    t = await makeApi();
    const res = await t.api.app.inject({ method: "GET", url: "/v1/audit/verification", headers: bearer(await token({ scope: "tasks:read" })) });
    expect(res.statusCode).toBe(403);
  });
});

describe("the catalogue", () => {
  it("flags cached and batched tools, and lists MCP servers (none configured)", async () => {
    t = await makeApi();
    const tools = schemas.ToolListSchema.parse((await get("/v1/tools")).json()).items;
    expect(tools.find((tool) => tool.name === "ledger.query")).toMatchObject({ cached: true, batched: true });
    expect(tools.find((tool) => tool.name === "ledger.quarters")).toMatchObject({ cached: false, batched: false });
    expect(tools.every((tool) => typeof tool.batched === "boolean")).toBe(true);
    expect(schemas.McpServerListSchema.parse((await get("/v1/mcp-servers")).json())).toEqual({ items: [] });
  });

  it("counts each catalogue request against the tenant's rate limit, though its body is made once", async () => {
    t = await makeApi({ rateLimit: { max: 2, windowMs: 60_000 } });
    const first = await get("/v1/agents");
    const second = await get("/v1/agents");
    expect([first.headers["x-ratelimit-remaining"], second.headers["x-ratelimit-remaining"]]).toEqual(["1", "0"]);
    expect(second.body).toBe(first.body);
    const refused = await get("/v1/agents");
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["content-type"]).toContain("application/problem+json");
  });
});
