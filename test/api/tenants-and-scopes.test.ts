import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvalId, OPERATIONS } from "../../src/api/index.js";
import { SCOPES } from "../../src/auth/index.js";
import { bearer, makeApi, seedApproval, seedSucceeded, testRunId, token } from "./harness.js";
import type { TestApi } from "./harness.js";

const TENANTS = ["acme", "globex", "initech", "umbrella"] as const;

interface Owned {
  readonly tenant: string;
  readonly runId: string;
  readonly approval: string;
  readonly argsHash: string;
}

let t: TestApi;
const owned: Owned[] = [];

beforeAll(async () => {
  t = await makeApi();
  let n = 0;
  for (const tenant of TENANTS) {
    // Per tenant: a waiting run with a pending approval, a succeeded run with an artifact, a queued run.
    const waiting = await seedApproval(t.store, { runId: testRunId(++n), tenant, submittedBy: "someone-else" });
    owned.push({ tenant, runId: waiting.runId, approval: approvalId(waiting.runId, waiting.stepKey), argsHash: waiting.argsHash });
    const done = testRunId(++n);
    await seedSucceeded(t.store, done, tenant);
    owned.push({ tenant, runId: done, approval: approvalId(done, "subtask/write/approval/0"), argsHash: waiting.argsHash });
    const queued = testRunId(++n);
    await t.store.submitAudited({ description: "q", tenant }, { runId: queued, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant });
    owned.push({ tenant, runId: queued, approval: approvalId(queued, "subtask/x/call/0"), argsHash: waiting.argsHash });
  }
});
afterAll(async () => {
  await t.close();
});

type Probe = { method: "GET" | "POST"; url: (o: Owned) => string; body?: (o: Owned) => unknown };

// Every route that takes an id, with each method a client might try.
const PROBES: readonly Probe[] = [
  { method: "GET", url: (o) => `/v1/tasks/${o.runId}` },
  { method: "GET", url: (o) => `/v1/tasks/${o.runId}/events` },
  { method: "POST", url: (o) => `/v1/tasks/${o.runId}/cancel` },
  { method: "GET", url: (o) => `/v1/tasks/${o.runId}/artifacts/report.md` },
  { method: "POST", url: (o) => `/v1/approvals/${o.approval}`, body: (o) => ({ decision: "approve", argsHash: o.argsHash }) },
  { method: "POST", url: (o) => `/v1/approvals/${o.approval}`, body: (o) => ({ decision: "deny", argsHash: o.argsHash, reason: "no" }) },
];

describe("tenant isolation", () => {
  const cases = TENANTS.flatMap((caller) =>
    TENANTS.filter((owner) => owner !== caller).flatMap((owner) => [0, 1, 2].flatMap((k) => PROBES.flatMap((probe) => [0, 1, 2].map((variant) => ({ caller, owner, k, probe, variant }))))),
  );

  it(`answers another tenant's ids with 404 in all ${cases.length} cases, changing nothing`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(500);
    const tokens = new Map<string, string>();
    for (const tenant of TENANTS) {
      for (const variant of [0, 1, 2]) {
        // Variants: every scope; the one subject that submitted the runs; a different subject with admin only + the needed scopes.
        tokens.set(`${tenant}/${variant}`, await token({ tenant, sub: variant === 1 ? "alice" : `user-${variant}`, scope: variant === 2 ? "tasks:read tasks:write approvals:write" : undefined }));
      }
    }
    const before = await snapshot();
    for (const c of cases) {
      const target = owned.filter((o) => o.tenant === c.owner)[c.k];
      if (!target) throw new Error("no target");
      const res = await t.api.app.inject({
        method: c.probe.method,
        url: c.probe.url(target),
        headers: { ...bearer(tokens.get(`${c.caller}/${c.variant}`) ?? ""), ...(c.probe.body ? { "content-type": "application/json" } : {}) },
        ...(c.probe.body ? { payload: JSON.stringify(c.probe.body(target)) } : {}),
      });
      expect({ case: `${c.caller} → ${c.probe.method} ${c.probe.url(target)}`, status: res.statusCode, code: res.json().code }).toEqual({
        case: `${c.caller} → ${c.probe.method} ${c.probe.url(target)}`,
        status: 404,
        code: "NOT_FOUND",
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("lists only the caller's own runs and approvals", async () => {
    for (const tenant of TENANTS) {
      const auth = bearer(await token({ tenant }));
      const runs = (await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: auth })).json().items as { id: string }[];
      expect(runs.map((r) => r.id).sort()).toEqual(owned.filter((o) => o.tenant === tenant).map((o) => o.runId).sort());
      const approvals = (await t.api.app.inject({ method: "GET", url: "/v1/approvals", headers: auth })).json().items as { runId: string }[];
      expect(approvals.map((a) => a.runId)).toEqual([owned.find((o) => o.tenant === tenant)?.runId]);
      const audit = (await t.api.app.inject({ method: "GET", url: "/v1/audit", headers: auth })).json().items as { tenant: string }[];
      expect(new Set(audit.map((e) => e.tenant))).toEqual(new Set([tenant]));
    }
  });

  async function snapshot() {
    const runs = await t.store.list({ limit: 500 });
    return Promise.all(runs.map(async (r) => ({ id: r.id, status: r.status, steps: (await t.store.load(r.id)).map((s) => `${s.key}:${s.status}`) })));
  }
});

describe("scopes", () => {
  const scoped = OPERATIONS.filter((op) => op.scope !== null);

  it.each(scoped.map((op) => [op.id, op] as const))("%s answers 403 without its scope, and not 401/403 with only it", async (_id, op) => {
    const target = owned[0];
    if (!target) throw new Error("no target");
    const url = op.path.replace(":id", op.id === "decideApproval" ? target.approval : target.runId).replace(":name", "report.md");
    const body = op.id === "submitTask" ? { description: "x" } : op.id === "decideApproval" ? { decision: "deny", argsHash: target.argsHash } : undefined;
    const send = async (scope: string) =>
      t.api.app.inject({
        method: op.method,
        url,
        headers: { ...bearer(await token({ tenant: target.tenant, scope })), ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    const without = await send(SCOPES.filter((s) => s !== op.scope).join(" "));
    expect(without.statusCode).toBe(403);
    expect(without.json().code).toBe("INSUFFICIENT_SCOPE");
    expect(without.headers["www-authenticate"]).toBe('Bearer error="insufficient_scope"');
    if (op.id === "taskEvents" || op.id === "decideApproval" || op.id === "cancelTask") return; // would stream or change state
    const only = await send(op.scope ?? "");
    expect([401, 403]).not.toContain(only.statusCode);
  });
});
