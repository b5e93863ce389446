import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApiConnectionError, ApiProblemError, CsAgentsClient } from "../../src/client/index.js";
import type { RunEvent } from "../../src/client/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { makeApi, SEAT_QUESTION, seedApproval, seedSucceeded, seedWaitingInput, testRunId, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { FaultProxy } from "./fault-proxy.js";

let t: TestApi;
let base: string;
let jwt: string;
let proxy: FaultProxy;
let worker: Worker | undefined;

beforeAll(async () => {
  t = await makeApi({ eventsPollMs: 20 });
  base = `http://127.0.0.1:${(await t.api.listen(0, "127.0.0.1")).port}`;
  jwt = await token();
  proxy = await FaultProxy.start(base);
});
afterEach(async () => {
  proxy.next = () => ({ kind: "forward" });
  proxy.seen.length = 0;
  await worker?.stop(5_000);
  worker = undefined;
});
afterAll(async () => {
  await proxy.close();
  await t.close();
});

function startWorker(): void {
  worker = new Worker({ store: t.store, engine: createRuntime().engine, concurrency: 1, pollMs: 20 });
  worker.start();
}

/** Small back-off so retries in tests take milliseconds; Retry-After is still honoured. */
function client(baseUrl = proxy.url, options: Partial<ConstructorParameters<typeof CsAgentsClient>[0]> = {}): CsAgentsClient {
  return new CsAgentsClient({ baseUrl, token: jwt, retry: { retries: 4, baseDelayMs: 5, maxDelayMs: 2_000 }, ...options });
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const problem = (code: string, status: number) => JSON.stringify({ type: "about:blank", title: "t", status, code, detail: `${code} from the proxy` });

describe("typed client against a live API", () => {
  it("submits a task and follows its events to the end; the run, its steps and artifacts are readable", async () => {
    const api = client(base);
    const { run, replayed, idempotencyKey } = await api.submit({ description: "生成季度财务报告" });
    expect(replayed).toBe(false);
    expect(idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.status).toBe("queued");
    startWorker();
    const events = await collect(api.events(run.id));
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toContain("plan.created");
    expect(events.at(-1)).toMatchObject({ type: "run.succeeded", data: { status: "succeeded", runId: run.id } });

    const done = await api.get(run.id);
    expect(done.status).toBe("succeeded");
    expect(done.subtasks.every((s) => s.status === "succeeded")).toBe(true);
    const steps = await api.steps(run.id);
    expect(steps.items.some((s) => s.kind === "tool_call")).toBe(true);
    const report = done.artifacts.find((a) => a.name.endsWith(".md"));
    expect(report).toBeDefined();
    const file = await api.artifact(run.id, report?.name ?? "");
    expect(file.bytes.length).toBe(report?.bytes);
    expect(file.mediaType).toMatch(/^text\/markdown/);

    // Resuming after the last event seen gives nothing more.
    expect(await collect(api.events(run.id, { lastEventId: events.at(-1)?.id ?? 0 }))).toEqual([]);
  });

  it("reconnects with Last-Event-ID after the connection drops mid-run: every event exactly once", async () => {
    const api = client();
    const { run } = await api.submit({ description: "生成季度财务报告" });
    let streams = 0;
    proxy.next = (request) => (request.path.endsWith("/events") && ++streams === 1 ? { kind: "cut-after-events", events: 3 } : { kind: "forward" });
    const events: RunEvent[] = [];
    for await (const event of api.events(run.id)) {
      events.push(event);
      // The run starts only once the stream is open, so the cut falls while it runs.
      if (events.length === 1) startWorker();
    }
    const eventRequests = proxy.seen.filter((r) => r.path.endsWith("/events"));
    expect(eventRequests.length).toBeGreaterThanOrEqual(2);
    expect(eventRequests[0]?.headers["last-event-id"]).toBeUndefined();
    expect(eventRequests[1]?.headers["last-event-id"]).toBe("3");

    const whole = await collect(client(base).events(run.id));
    expect(events).toEqual(whole);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.at(-1)?.type).toBe("run.succeeded");
    expect(events.length).toBeGreaterThan(3);
  });

  it("stops following events when its signal aborts, without reconnecting", async () => {
    const { run } = await client(base).submit({ description: "生成季度财务报告" });
    const controller = new AbortController();
    const seen: RunEvent[] = [];
    const following = (async () => {
      for await (const event of client().events(run.id, { signal: controller.signal })) {
        seen.push(event);
        controller.abort();
      }
    })();
    await expect(following).rejects.toThrow();
    // The run is still queued (no worker): the stream was left by the client, not ended by the server.
    expect(seen).toHaveLength(1);
    expect(proxy.seen.filter((r) => r.path.endsWith("/events"))).toHaveLength(1);
    await client(base).cancel(run.id);
  });

  it("retries 429 after the Retry-After the server sent", async () => {
    proxy.next = (_request, index) => (index === 0 ? { kind: "answer", status: 429, headers: { "retry-after": "1" }, body: problem("RATE_LIMITED", 429) } : { kind: "forward" });
    const tools = await client().tools();
    expect(tools.items.length).toBeGreaterThan(0);
    expect(proxy.seen).toHaveLength(2);
  });

  it("retries 503 (no Retry-After: exponential back-off) and gives up with the typed problem after its retries", async () => {
    proxy.next = (_request, index) => (index < 2 ? { kind: "answer", status: 503, body: problem("STORE_UNREACHABLE", 503) } : { kind: "forward" });
    const agents = await client().agents();
    expect(agents.items.map((a) => a.name).length).toBeGreaterThan(0);
    expect(proxy.seen).toHaveLength(3);

    proxy.seen.length = 0;
    proxy.next = () => ({ kind: "answer", status: 429, headers: { "retry-after": "0" }, body: problem("RATE_LIMITED", 429) });
    const error = await client(proxy.url, { retry: { retries: 2, baseDelayMs: 5 } })
      .agents()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblemError);
    expect(error).toMatchObject({ code: "RATE_LIMITED", status: 429, retryAfterMs: 0, retryable: true });
    expect(proxy.seen).toHaveLength(3);
  });

  it("a submit whose answer was lost is sent again with the same Idempotency-Key and returns the same run", async () => {
    proxy.next = (request, index) => (index === 0 && request.method === "POST" ? { kind: "drop-answer" } : { kind: "forward" });
    const before = (await client(base).list({ limit: 500 })).items.length;
    const submission = await client().submit({ description: "生成季度财务报告" });
    expect(proxy.seen).toHaveLength(2);
    const keys = proxy.seen.map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toBe(submission.idempotencyKey);
    expect(keys[1]).toBe(submission.idempotencyKey);
    expect(submission.replayed).toBe(true);
    const after = (await client(base).list({ limit: 500 })).items;
    expect(after).toHaveLength(before + 1);
    expect(after[0]?.id).toBe(submission.run.id);

    // The caller's own key, given twice, also gives the one run.
    const again = await client(base).submit({ description: "生成季度财务报告" }, { idempotencyKey: submission.idempotencyKey });
    expect(again).toMatchObject({ replayed: true, run: { id: submission.run.id } });
  });

  it("forks a finished run from a subtask's end; a fork whose answer was lost is sent again with its key and is one run", async () => {
    const api = client(base);
    const { run } = await api.submit({ description: "生成季度财务报告" });
    startWorker();
    await collect(api.events(run.id));
    const parent = await api.get(run.id);
    const first = parent.subtasks[0]?.id ?? "";
    proxy.next = (request, index) => (index === 0 && request.method === "POST" ? { kind: "drop-answer" } : { kind: "forward" });
    const forked = await client().fork(run.id, { step: `subtask/${first}/done` });
    expect(proxy.seen.map((r) => r.headers["idempotency-key"])).toEqual([forked.idempotencyKey, forked.idempotencyKey]);
    expect(forked).toMatchObject({ replayed: true, run: { forkedFrom: { runId: run.id, step: `subtask/${first}/done` } } });
    const events = await collect(api.events(forked.run.id));
    expect(events[0]).toMatchObject({ type: "run.forked", data: { forkedFrom: { runId: run.id } } });
    const fork = await api.get(forked.run.id);
    expect(fork.status).toBe("succeeded");
    expect(fork.result).toEqual(parent.result);
    expect((await api.get(run.id)).forks).toEqual([{ id: forked.run.id, status: "succeeded", step: `subtask/${first}/done`, createdAt: expect.any(String) }]);
  });

  it("does not repeat a single-use decision after a network error; repeats a cancel", async () => {
    const { runId, argsHash } = await seedApproval(t.store, { runId: testRunId(500), tenant: "acme", submittedBy: "bob" });
    const [approval] = (await client(base).approvals()).items;
    expect(approval?.runId).toBe(runId);
    proxy.next = () => ({ kind: "drop-answer" });
    const error = await client()
      .decide(approval?.id ?? "", { decision: "deny", argsHash, reason: "not this supplier" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).toMatchObject({ code: "API_UNREACHABLE" });
    expect(proxy.seen).toHaveLength(1);
    // The server did act on it.
    expect((await client(base).approvals()).items).toEqual([]);

    const { run } = await client(base).submit({ description: "生成季度财务报告" });
    proxy.seen.length = 0;
    proxy.next = (request, index) => (index === 0 && request.method === "POST" ? { kind: "drop-answer" } : { kind: "forward" });
    expect((await client().cancel(run.id)).status).toBe("cancelled");
    expect(proxy.seen).toHaveLength(2);
  });

  it("answers a run's open question: the run is queued again; a bad answer is a 400 problem naming the path", async () => {
    const runId = await seedWaitingInput(t.store, { runId: testRunId(600), tenant: "acme" });
    const api = client(base);
    const [question] = (await api.get(runId)).questions;
    expect(question).toMatchObject({ step: SEAT_QUESTION.step, question: "Which seat?" });
    const bad = await api.answer(runId, SEAT_QUESTION.step, { seat: "aisle" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiProblemError);
    expect(bad).toMatchObject({ code: "INVALID_INPUT", status: 400, detail: expect.stringContaining("body.answer.seat") });
    expect(await api.answer(runId, SEAT_QUESTION.step, { seat: "14D" })).toEqual({ runId, step: SEAT_QUESTION.step, runStatus: "queued" });
  });

  it("throws ApiProblemError with the server's code, status and detail", async () => {
    const api = client(base);
    const missing = await api.get(testRunId(999_999)).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiProblemError);
    expect(missing).toMatchObject({ code: "NOT_FOUND", status: 404, detail: expect.any(String) });
    const invalid = await api.submit({ description: "" }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: "INVALID_INPUT", status: 400 });
    const anonymous = await client(base, { token: undefined }).tools().catch((e: unknown) => e);
    expect(anonymous).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
    const readOnly = await client(base, { token: await token({ scope: "tasks:read" }) })
      .submit({ description: "生成季度财务报告" })
      .catch((e: unknown) => e);
    expect(readOnly).toMatchObject({ code: "INSUFFICIENT_SCOPE", status: 403 });
    const translated = await client(base, { acceptLanguage: "zh-CN" }).get(testRunId(999_998)).catch((e: unknown) => e);
    expect(translated).toMatchObject({ code: "NOT_FOUND" });
    expect((translated as ApiProblemError).detail).not.toBe((missing as ApiProblemError).detail);
    // Not a problem body (a proxy's page): the status still gives a code.
    proxy.next = () => ({ kind: "answer", status: 502, body: "<html>bad gateway</html>" });
    expect(await client().tools().catch((e: unknown) => e)).toMatchObject({ code: "HTTP_502", status: 502 });
  });

  it("asks a token function before every request, and pages through every run", async () => {
    let asked = 0;
    const other = await token({ tenant: "paging" });
    const api = client(base, {
      token: async () => {
        asked += 1;
        return other;
      },
    });
    const ids = [testRunId(1), testRunId(2), testRunId(3)];
    for (const id of ids) await seedSucceeded(t.store, id, "paging");
    const first = await api.list({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const all: string[] = [];
    for await (const run of api.listAll({ limit: 2 })) all.push(run.id);
    expect(all.sort()).toEqual([...ids].sort());
    expect(asked).toBe(3);
    expect((await api.approvals()).items).toEqual([]);
  });
});
