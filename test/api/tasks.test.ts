import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import { bearer, makeApi, seedSucceeded, testRunId, token } from "./harness.js";
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

const submit = (body: unknown, headers: Record<string, string> = {}) =>
  t.api.app.inject({ method: "POST", url: "/v1/tasks", headers: { ...auth, "content-type": "application/json", ...headers }, payload: JSON.stringify(body) });

describe("tasks", () => {
  it("submits a task: 202 with the queued run, its links, and an audit entry", async () => {
    const res = await submit({ description: "生成季度财务报告", input: { quarter: "2024Q4" } });
    expect(res.statusCode).toBe(202);
    const run = schemas.RunDetailSchema.parse(res.json());
    expect(run).toMatchObject({ status: "queued", description: "生成季度财务报告", input: { quarter: "2024Q4" } });
    expect(res.headers.location).toBe(`/v1/tasks/${run.id}`);
    const stored = await t.store.get(run.id);
    expect(stored?.task.tenant).toBe("acme");
    expect((await t.store.listAudit()).map((e) => [e.action, e.actor, e.tenant, e.target])).toEqual([["task.submitted", "alice", "acme", run.id]]);
  });

  it("carries the caller's trace context with the run, or starts a new trace; a bad one is not taken", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const traced = (await submit({ description: "a" }, { traceparent })).json<{ id: string }>();
    expect((await t.store.get(traced.id))?.task.traceparent).toBe(traceparent);
    const fresh = (await submit({ description: "b" })).json<{ id: string }>();
    const bogus = (await submit({ description: "c" }, { traceparent: "00-zz-not-a-trace" })).json<{ id: string }>();
    for (const id of [fresh.id, bogus.id]) {
      const carried = (await t.store.get(id))?.task.traceparent;
      expect(carried).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(carried).not.toContain("4bf92f3577b34da6a3ce929d0e0e4736");
    }
    // The body cannot set it.
    expect((await submit({ description: "d", traceparent })).statusCode).toBe(400);
  });

  it("refuses fields the caller may not set, naming them, and stores nothing", async () => {
    const res = await submit({ description: "x", tenant: "globex", status: "succeeded" });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, code: "UNKNOWN_FIELDS", detail: "unknown body fields: tenant, status" });
    expect(await t.store.list()).toEqual([]);
  });

  it("names the field and what was expected for a wrong value", async () => {
    const res = await submit({ description: 42 });
    expect(res.json()).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    expect(res.json().detail).toMatch(/description/);
  });

  it("returns the same run for the same Idempotency-Key and body, 422 for another body", async () => {
    const first = await submit({ description: "report" }, { "idempotency-key": "k-1" });
    const again = await submit({ description: "report" }, { "idempotency-key": "k-1" });
    const other = await submit({ description: "another report" }, { "idempotency-key": "k-1" });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json().id).toBe(first.json().id);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect((await t.store.list()).length).toBe(1);
    expect((await t.store.listAudit()).length).toBe(1);
  });

  it("tells the in-process worker of each run it created, so it claims now, and not of a replay", async () => {
    const told: string[] = [];
    const own = await makeApi({}, undefined, { onSubmitted: (runId) => told.push(runId) });
    try {
      const post = (headers: Record<string, string>) =>
        own.api.app.inject({ method: "POST", url: "/v1/tasks", headers: { ...auth, "content-type": "application/json", ...headers }, payload: JSON.stringify({ description: "r" }) });
      const first = (await post({ "idempotency-key": "k-w" })).json<{ id: string }>();
      await post({ "idempotency-key": "k-w" });
      expect(told).toEqual([first.id]);
    } finally {
      await own.close();
    }
  });

  it("answers 409 while the original request with the key is still being created", async () => {
    const results = await Promise.all([submit({ description: "r" }, { "idempotency-key": "k-2" }), submit({ description: "r" }, { "idempotency-key": "k-2" })]);
    const codes = results.map((r) => r.statusCode).sort();
    // Either the second arrived while the first was in flight (409), or after it (the same run).
    expect([[202, 202], [202, 409]]).toContainEqual(codes);
    const conflict = results.find((r) => r.statusCode === 409);
    if (conflict) expect(conflict.json().code).toBe("IDEMPOTENCY_IN_PROGRESS");
    expect((await t.store.list()).length).toBe(1);
  });

  it("scopes idempotency keys by tenant", async () => {
    const a = await submit({ description: "r" }, { "idempotency-key": "same" });
    const b = await submit({ description: "r" }, { "idempotency-key": "same", ...bearer(await token({ tenant: "globex" })) });
    expect(a.json().id).not.toBe(b.json().id);
  });

  it("refuses a submission over the tenant's active-run cap with 429", async () => {
    await t.close();
    t = await makeApi({ maxActiveRunsPerTenant: 2 });
    await submit({ description: "1" });
    await submit({ description: "2" });
    const third = await submit({ description: "3" });
    expect(third.statusCode).toBe(429);
    expect(third.json().code).toBe("TOO_MANY_ACTIVE_RUNS");
  });

  it("takes any number of unfinished runs when the cap is 0 (no cap)", async () => {
    await t.close();
    t = await makeApi({ maxActiveRunsPerTenant: 0 });
    for (let n = 0; n < 3; n++) expect((await submit({ description: `${n}` })).statusCode).toBe(202);
  });

  it("shows a run with subtasks, timings, results and artifact links; downloads the artifact", async () => {
    const id = testRunId(1);
    await seedSucceeded(t.store, id, "acme");
    const res = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth });
    expect(res.statusCode).toBe(200);
    const run = schemas.RunDetailSchema.parse(res.json());
    expect(run.subtasks[0]).toMatchObject({ id: "write", status: "succeeded", output: "done" });
    expect(run.subtasks[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.result).toEqual({ output: "done" });
    expect(run.artifacts).toEqual([{ name: "report.md", mediaType: "text/markdown", bytes: 9, href: `/v1/tasks/${id}/artifacts/report.md` }]);
    const file = await t.api.app.inject({ method: "GET", url: run.artifacts[0]?.href ?? "", headers: auth });
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe("# Report\n");
    expect(file.headers["content-type"]).toMatch(/^text\/markdown/);
    expect(file.headers["content-disposition"]).toBe('attachment; filename="report.md"');
    const missing = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}/artifacts/nope.md`, headers: auth });
    expect(missing.json().code).toBe("NOT_FOUND");
  });

  it("downloads a binary artifact (stored base64) as its bytes, and counts its bytes, not its base64", async () => {
    const id = testRunId(2);
    const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x10]);
    const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    await seedSucceeded(t.store, id, "acme", [{ name: "report.xlsx", mediaType: xlsx, content: bytes.toString("base64"), encoding: "base64" }]);
    const run = schemas.RunDetailSchema.parse((await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth })).json());
    expect(run.artifacts).toEqual([{ name: "report.xlsx", mediaType: xlsx, bytes: 7, href: `/v1/tasks/${id}/artifacts/report.xlsx` }]);
    const file = await t.api.app.inject({ method: "GET", url: run.artifacts[0]?.href ?? "", headers: auth });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(bytes)).toBe(true);
    expect(file.headers["content-type"]).toBe(xlsx);
  });

  it("lists newest first with a status filter and cursor pages", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submit({ description: `t${i}` })).json().id as string);
    const page1 = await t.api.app.inject({ method: "GET", url: "/v1/tasks?limit=2&status=queued", headers: auth });
    const body1 = schemas.RunListSchema.parse(page1.json());
    expect(body1.items.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    const page2 = schemas.RunListSchema.parse((await t.api.app.inject({ method: "GET", url: `/v1/tasks?limit=2&cursor=${body1.nextCursor}`, headers: auth })).json());
    expect(page2.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const none = schemas.RunListSchema.parse((await t.api.app.inject({ method: "GET", url: "/v1/tasks?status=succeeded", headers: auth })).json());
    expect(none.items).toEqual([]);
    const bad = await t.api.app.inject({ method: "GET", url: "/v1/tasks?status=bogus&tenant=x", headers: auth });
    expect(bad.json()).toMatchObject({ code: "UNKNOWN_FIELDS", detail: "unknown query field: tenant" });
  });

  it("cancels a queued run once, audited; a finished run answers 409", async () => {
    const id = (await submit({ description: "x" })).json().id as string;
    const res = await t.api.app.inject({ method: "POST", url: `/v1/tasks/${id}/cancel`, headers: auth });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: "cancelled", error: { code: "CANCELLED" } });
    const again = await t.api.app.inject({ method: "POST", url: `/v1/tasks/${id}/cancel`, headers: auth });
    expect(again.statusCode).toBe(202);
    expect((await t.store.listAudit()).map((e) => e.action)).toEqual(["task.submitted", "task.cancelled"]);
    const done = testRunId(2);
    await seedSucceeded(t.store, done, "acme");
    const finished = await t.api.app.inject({ method: "POST", url: `/v1/tasks/${done}/cancel`, headers: auth });
    expect(finished.statusCode).toBe(409);
    expect(finished.json().code).toBe("RUN_FINISHED");
  });

  it("lists tools and agents with their JSON Schemas", async () => {
    const first = await t.api.app.inject({ method: "GET", url: "/v1/tools", headers: auth });
    const tools = schemas.ToolListSchema.parse(first.json());
    expect(tools.items.length).toBeGreaterThan(0);
    expect(tools.items[0]?.input).toHaveProperty("type");
    // Serialized once, sent as JSON every time, with the per-request headers still on it.
    const again = await t.api.app.inject({ method: "GET", url: "/v1/tools", headers: auth });
    expect(again.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(again.body).toBe(first.body);
    expect(again.headers["x-content-type-options"]).toBe("nosniff");
    const agents = schemas.AgentListSchema.parse((await t.api.app.inject({ method: "GET", url: "/v1/agents", headers: auth })).json());
    expect(agents.items.map((a) => a.name)).toContain("writer");
  });
});

describe("service routes", () => {
  it("serves an OpenAPI 3.1 document with every operation, generated from the request schemas", async () => {
    const doc = (await t.api.app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/tasks", "/v1/tasks/{id}", "/v1/tasks/{id}/events", "/v1/approvals/{id}", "/v1/audit"]));
    const body = doc.paths["/v1/tasks"].post.requestBody.content["application/json"].schema;
    expect(body).toMatchObject({ type: "object", required: ["description"], additionalProperties: false });
    expect(doc.paths["/v1/tasks"].post.security).toEqual([{ bearer: ["tasks:write"] }]);
  });

  it("serves a docs page without scripts", async () => {
    const res = await t.api.app.inject({ method: "GET", url: "/docs" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("/v1/tasks/{id}/events");
    expect(res.body).not.toContain("<script");
  });

  it("answers health, readiness, and Prometheus metrics per route and status", async () => {
    expect((await t.api.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await t.api.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: auth });
    const metrics = await t.api.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toMatch(/cs_agents_http_requests_total\{method="GET",route="\/v1\/tasks",status="200"\} 1/);
    expect(metrics.body).toContain("cs_agents_http_request_duration_seconds_bucket");
    expect(metrics.body).toContain("cs_agents_process_cpu_user_seconds_total");
    t.api.drain();
    expect((await t.api.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
  });

  it("sends security headers and no CORS headers unless configured", async () => {
    const res = await t.api.app.inject({ method: "GET", url: "/healthz", headers: { origin: "https://evil.example" } });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toBeDefined();
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("sends Helmet's default security headers on every kind of answer: JSON, a problem, a 202", async () => {
    const expected = {
      "content-security-policy": expect.stringContaining("default-src 'self'"),
      "strict-transport-security": expect.stringContaining("max-age="),
      "x-content-type-options": "nosniff",
      "x-frame-options": "SAMEORIGIN",
      "cross-origin-opener-policy": "same-origin",
      "referrer-policy": "no-referrer",
    };
    for (const res of [
      await t.api.app.inject({ method: "GET", url: "/healthz" }),
      await t.api.app.inject({ method: "GET", url: "/v1/nothing-here" }),
      await submit({ description: "x" }),
    ]) {
      expect(res.headers).toMatchObject(expected);
    }
  });

  it("answers unknown routes with a problem", async () => {
    const res = await t.api.app.inject({ method: "DELETE", url: "/v1/tasks" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });
});
