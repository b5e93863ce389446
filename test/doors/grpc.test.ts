import { status as GrpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { makeApi, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { startByteCounter } from "./grpc-byte-counter.js";
import { bearerMetadata, startGrpc, tasksClient, unary, watch } from "./grpc-harness.js";
import type { GrpcTarget, TasksClient } from "./grpc-harness.js";

interface TaskMessage {
  id: string;
  status: string;
  description: string;
  created_at: { seconds: number; nanos: number } | null;
  result_json: string;
  subtasks: { id: string; status: string; output_json: string }[];
  artifacts: { name: string; media_type: string; bytes: number; href: string }[];
  wake_at: { seconds: number; nanos: number } | null;
}

const SEED = "生成季度财务报告";
let t: TestApi;
let grpc: GrpcTarget;
let client: TasksClient;
let acme: string;
let runId: string;

beforeAll(async () => {
  t = await makeApi({ eventsPollMs: 20 });
  grpc = await startGrpc(t);
  client = tasksClient(grpc.address);
  acme = await token();
});
afterAll(async () => {
  client.close();
  await grpc.door.close(1_000);
  await t.close();
});

describe("gRPC door: the seed task", () => {
  it("submits the seed task, watches it to the end, and reads the finished run", async () => {
    const submitted = await unary<TaskMessage>(client, "SubmitTask", { description: SEED }, bearerMetadata(acme));
    if (!submitted.ok) throw submitted.error;
    expect(submitted.value.description).toBe(SEED);
    expect(submitted.value.status).toBe("RUN_STATUS_QUEUED");
    expect(submitted.value.created_at?.seconds).toBeGreaterThan(1_700_000_000);
    runId = submitted.value.id;

    const worker = new Worker({ store: t.store, engine: createRuntime().engine, concurrency: 1, pollMs: 20 });
    worker.start();
    const whole = await watch(client, { run_id: runId }, bearerMetadata(acme));
    await worker.stop(5_000);
    expect(whole.error).toBeUndefined();
    expect(whole.status?.code).toBe(GrpcStatus.OK);
    const types = whole.events.map((e) => e.type);
    expect(types).toContain("plan.created");
    expect(types).toContain("subtask.started");
    expect(types.at(-1)).toBe("run.succeeded");
    const ids = whole.events.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);

    const got = await unary<TaskMessage>(client, "GetTask", { id: runId }, bearerMetadata(acme));
    if (!got.ok) throw got.error;
    expect(got.value.status).toBe("RUN_STATUS_SUCCEEDED");
    expect(got.value.subtasks.every((s) => s.status === "succeeded")).toBe(true);
    expect(JSON.parse(got.value.result_json)).toHaveProperty("output");
    expect(got.value.artifacts.map((a) => a.name)).toContain("report.md");
  });

  it("shows when a sleeping run wakes (wake_at), as the REST view's wakeAt", async () => {
    const submitted = await unary<TaskMessage>(client, "SubmitTask", { description: SEED }, bearerMetadata(acme));
    if (!submitted.ok) throw submitted.error;
    expect(submitted.value.wake_at).toBeNull();
    const [lease] = await t.store.claim({ workerId: "w", leaseMs: 30_000, limit: 1, maxCrashes: 3, runId: submitted.value.id });
    if (!lease) throw new Error("the run was not claimed");
    // As a tool's ctx.sleep leaves it: an open timer step, then the run asleep until it is due.
    const wakeAt = new Date(Date.UTC(2031, 0, 2, 9, 30, 0, 250));
    await t.store.record(lease, { runId: lease.runId, key: "subtask/remind/sleep/0", kind: "sleep", status: "started", output: { wakeAt: wakeAt.toISOString() }, startedAt: new Date() });
    await t.store.sleep(lease, wakeAt);
    const got = await unary<TaskMessage>(client, "GetTask", { id: submitted.value.id }, bearerMetadata(acme));
    if (!got.ok) throw got.error;
    expect(got.value.status).toBe("RUN_STATUS_SLEEPING");
    expect(got.value.wake_at).toEqual({ seconds: Math.floor(wakeAt.getTime() / 1_000), nanos: 250_000_000 });
  });

  it("resumes WatchRun after an event id with nothing lost or repeated", async () => {
    const whole = await watch(client, { run_id: runId }, bearerMetadata(acme));
    expect(whole.events.length).toBeGreaterThan(4);
    const first = whole.events.slice(0, 3);
    const rest = await watch(client, { run_id: runId, after_id: first.at(-1)!.id }, bearerMetadata(acme));
    expect(rest.error).toBeUndefined();
    expect([...first, ...rest.events]).toEqual(whole.events);
  });

  it("lists the tenant's runs, tools and agents", async () => {
    const list = await unary<{ items: TaskMessage[]; next_cursor: string }>(client, "ListTasks", { status: ["RUN_STATUS_SUCCEEDED"], limit: 10 }, bearerMetadata(acme));
    if (!list.ok) throw list.error;
    expect(list.value.items.map((i) => i.id)).toContain(runId);
    const tools = await unary<{ items: { name: string; input_schema_json: string }[] }>(client, "ListTools", {}, bearerMetadata(acme));
    if (!tools.ok) throw tools.error;
    expect(tools.value.items.length).toBeGreaterThan(0);
    expect(JSON.parse(tools.value.items[0]!.input_schema_json)).toBeTypeOf("object");
    const agents = await unary<{ items: { name: string }[] }>(client, "ListAgents", {}, bearerMetadata(acme));
    if (!agents.ok) throw agents.error;
    expect(agents.value.items.length).toBeGreaterThan(0);
  });

  it("answers the same run for the same idempotency key, and says it replayed", async () => {
    const request = { description: "idempotent report", idempotency_key: "grpc-key-1" };
    const first = await unary<TaskMessage>(client, "SubmitTask", request, bearerMetadata(acme));
    const second = await unary<TaskMessage>(client, "SubmitTask", request, bearerMetadata(acme));
    if (!first.ok || !second.ok) throw new Error("submit failed");
    expect(second.value.id).toBe(first.value.id);
    expect(second.headers.get("idempotent-replayed")).toEqual(["true"]);
    const reused = await unary<TaskMessage>(client, "SubmitTask", { ...request, description: "another body" }, bearerMetadata(acme));
    expect(reused.ok ? undefined : reused.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });
});

describe("gRPC door: compression", () => {
  for (const [name, algorithm] of [["gzip", 2], ["deflate", 1]] as const) {
    it(`${name}: requests are accepted and report-sized answers come back compressed`, async () => {
      const counter = await startByteCounter({ host: "127.0.0.1", port: grpc.door.port! });
      const plain = tasksClient(`127.0.0.1:${counter.port}`);
      const packed = tasksClient(`127.0.0.1:${counter.port}`, { channel: { "grpc.default_compression_algorithm": algorithm } });
      try {
        // Connect both first so handshakes are not counted.
        await unary(plain, "ListAgents", {}, bearerMetadata(acme));
        await unary(packed, "ListAgents", {}, bearerMetadata(acme));
        counter.reset();
        const a = await unary<TaskMessage>(plain, "GetTask", { id: runId }, bearerMetadata(acme));
        const plainBytes = counter.counts().down;
        counter.reset();
        const b = await unary<TaskMessage>(packed, "GetTask", { id: runId }, bearerMetadata(acme));
        const packedBytes = counter.counts().down;
        if (!a.ok || !b.ok) throw new Error("GetTask failed");
        expect(b.value).toEqual(a.value);
        expect(plainBytes).toBeGreaterThan(2_000);
        expect(packedBytes).toBeLessThan(plainBytes * 0.7);
        // A compressed request (the submission) is read as sent.
        const submitted = await unary<TaskMessage>(packed, "SubmitTask", { description: `${name} ${SEED}`.repeat(20) }, bearerMetadata(acme));
        if (!submitted.ok) throw submitted.error;
        expect(submitted.value.description).toBe(`${name} ${SEED}`.repeat(20));
      } finally {
        plain.close();
        packed.close();
        await counter.close();
      }
    });
  }
});

describe("gRPC door: tenants, scopes, tokens", () => {
  it("tenant B cannot see tenant A's run: NOT_FOUND", async () => {
    const beta = await token({ tenant: "beta" });
    const got = await unary(client, "GetTask", { id: runId }, bearerMetadata(beta));
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.error.code).toBe(GrpcStatus.NOT_FOUND);
    expect(got.code).toBe("NOT_FOUND");
    const watched = await watch(client, { run_id: runId }, bearerMetadata(beta));
    expect(watched.events).toEqual([]);
    expect(watched.error?.code).toBe(GrpcStatus.NOT_FOUND);
    const list = await unary<{ items: TaskMessage[] }>(client, "ListTasks", {}, bearerMetadata(beta));
    if (!list.ok) throw list.error;
    expect(list.value.items.map((i) => i.id)).not.toContain(runId);
  });

  it("a token without the operation's scope: PERMISSION_DENIED (INSUFFICIENT_SCOPE)", async () => {
    const reader = await token({ scope: "tasks:read" });
    const result = await unary(client, "SubmitTask", { description: SEED }, bearerMetadata(reader));
    expect(result.ok ? undefined : [result.error.code, result.code]).toEqual([GrpcStatus.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"]);
  });

  it("no token with auth on: UNAUTHENTICATED, for unary calls and WatchRun", async () => {
    const result = await unary(client, "GetTask", { id: runId }, bearerMetadata(undefined));
    expect(result.ok ? undefined : [result.error.code, result.code]).toEqual([GrpcStatus.UNAUTHENTICATED, "UNAUTHENTICATED"]);
    const watched = await watch(client, { run_id: runId }, bearerMetadata(undefined));
    expect(watched.error?.code).toBe(GrpcStatus.UNAUTHENTICATED);
  });

  it("bad input: INVALID_ARGUMENT with the problem's detail", async () => {
    const empty = await unary(client, "SubmitTask", { description: "" }, bearerMetadata(acme));
    expect(empty.ok ? undefined : [empty.error.code, empty.code]).toEqual([GrpcStatus.INVALID_ARGUMENT, "INVALID_INPUT"]);
    const badJson = await unary(client, "SubmitTask", { description: SEED, input_json: "{nope" }, bearerMetadata(acme));
    expect(badJson.ok ? undefined : [badJson.error.code, badJson.error.details]).toEqual([GrpcStatus.INVALID_ARGUMENT, "input_json: not valid JSON"]);
  });
});

describe("gRPC door: deadlines", () => {
  it("a WatchRun of a run that does not end stops at its deadline with DEADLINE_EXCEEDED", async () => {
    const submitted = await unary<TaskMessage>(client, "SubmitTask", { description: "queued, never claimed" }, bearerMetadata(acme));
    if (!submitted.ok) throw submitted.error;
    const watched = await watch(client, { run_id: submitted.value.id }, bearerMetadata(acme), { deadline: new Date(Date.now() + 300) });
    expect(watched.error?.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(watched.events.length).toBeGreaterThan(0);
  });

  it("a unary call past its deadline is DEADLINE_EXCEEDED", async () => {
    const result = await unary(client, "ListTools", {}, bearerMetadata(acme), { deadline: new Date(Date.now() - 1) });
    expect(result.ok ? undefined : result.error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
  });
});
