import { status as GrpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeApi, SEAT_QUESTION, seedWaitingInput, testRunId, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { bearerMetadata, startGrpc, tasksClient, unary } from "./grpc-harness.js";
import type { GrpcTarget, TasksClient } from "./grpc-harness.js";

interface TaskMessage {
  id: string;
  status: string;
  priority: number;
  callback: { url: string; status: string; attempts: number; last_error: string } | null;
  questions: { step: string; question: string; schema_json: string; expires_at: unknown }[];
}

const SEED = "生成季度财务报告";
let t: TestApi;
let grpc: GrpcTarget;
let client: TasksClient;
let acme: string;

beforeAll(async () => {
  t = await makeApi();
  grpc = await startGrpc(t);
  client = tasksClient(grpc.address);
  acme = await token();
});
afterAll(async () => {
  client.close();
  await grpc.door.close(1_000);
  await t.close();
});

async function runCount(): Promise<number> {
  return (await t.store.list({ tenant: "acme", limit: 500 })).length;
}

describe("gRPC SubmitTask: priority and callback_url, as REST takes them", () => {
  it("keeps the priority it is given, 0 included, and 5 when none is given; ListTasks shows it", async () => {
    const ids = new Map<string, number>();
    for (const [request, expected] of [[{ priority: 0 }, 0], [{ priority: 8 }, 8], [{}, 5]] as const) {
      const submitted = await unary<TaskMessage>(client, "SubmitTask", { description: SEED, ...request }, bearerMetadata(acme));
      if (!submitted.ok) throw submitted.error;
      expect(submitted.value.priority).toBe(expected);
      expect((await t.store.get(submitted.value.id))?.task.priority ?? 5).toBe(expected);
      const got = await unary<TaskMessage>(client, "GetTask", { id: submitted.value.id }, bearerMetadata(acme));
      if (!got.ok) throw got.error;
      expect(got.value.priority).toBe(expected);
      ids.set(submitted.value.id, expected);
    }
    const listed = await unary<{ items: TaskMessage[] }>(client, "ListTasks", { limit: 50 }, bearerMetadata(acme));
    if (!listed.ok) throw listed.error;
    const shown = listed.value.items.filter((item) => ids.has(item.id)).map((item): [string, number] => [item.id, item.priority]);
    expect(shown.sort()).toEqual([...ids].sort());
  });

  it("refuses a priority outside 0-9 with INVALID_ARGUMENT naming it, and stores nothing", async () => {
    const before = await runCount();
    for (const priority of [10, -1]) {
      const refused = await unary(client, "SubmitTask", { description: SEED, priority }, bearerMetadata(acme));
      if (refused.ok) throw new Error("a priority out of range was accepted");
      expect(refused.error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(refused.code).toBe("INVALID_INPUT");
      expect(refused.error.details).toContain("priority");
    }
    expect(await runCount()).toBe(before);
  });

  it("keeps an https callback_url and shows the webhook waiting on the task", async () => {
    const submitted = await unary<TaskMessage>(client, "SubmitTask", { description: SEED, callback_url: "https://hooks.example.com/cs-agents" }, bearerMetadata(acme));
    if (!submitted.ok) throw submitted.error;
    const got = await unary<TaskMessage>(client, "GetTask", { id: submitted.value.id }, bearerMetadata(acme));
    if (!got.ok) throw got.error;
    expect(got.value.callback).toMatchObject({ url: "https://hooks.example.com/cs-agents", status: "waiting", attempts: 0 });
    expect((await t.store.get(submitted.value.id))?.task.callbackUrl).toBe("https://hooks.example.com/cs-agents");
    const none = await unary<TaskMessage>(client, "SubmitTask", { description: SEED }, bearerMetadata(acme));
    if (!none.ok) throw none.error;
    expect(none.value.callback).toBeNull();
  });

  it("refuses callback URLs the SSRF policy refuses (http, loopback, private, link-local), storing nothing", async () => {
    const before = await runCount();
    for (const url of ["http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://169.254.169.254/latest", "https://[::1]/x"]) {
      const refused = await unary(client, "SubmitTask", { description: SEED, callback_url: url }, bearerMetadata(acme));
      if (refused.ok) throw new Error(`${url} was accepted`);
      expect(refused.error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(refused.code).toBe("INVALID_INPUT");
    }
    expect(await runCount()).toBe(before);
  });
});

describe("gRPC AnswerInput, as POST /v1/tasks/{id}/input", () => {
  it("lists the open question on the task, refuses a bad answer with its path, takes a good one and queues the run", async () => {
    const runId = await seedWaitingInput(t.store, { runId: testRunId(701), tenant: "acme" });
    const got = await unary<TaskMessage>(client, "GetTask", { id: runId }, bearerMetadata(acme));
    if (!got.ok) throw got.error;
    expect(got.value.status).toBe("RUN_STATUS_WAITING_INPUT");
    expect(got.value.questions).toHaveLength(1);
    expect(got.value.questions[0]).toMatchObject({ step: SEAT_QUESTION.step, question: SEAT_QUESTION.question });
    expect(JSON.parse(got.value.questions[0]?.schema_json ?? "null")).toEqual(SEAT_QUESTION.schema);

    const bad = await unary(client, "AnswerInput", { run_id: runId, step: SEAT_QUESTION.step, answer_json: JSON.stringify({ seat: "aisle" }) }, bearerMetadata(acme));
    if (bad.ok) throw new Error("an answer that does not fit the schema was taken");
    expect(bad.error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(bad.error.details).toContain("body.answer.seat");
    const notJson = await unary(client, "AnswerInput", { run_id: runId, step: SEAT_QUESTION.step, answer_json: "{seat" }, bearerMetadata(acme));
    expect(notJson.ok ? undefined : notJson.error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    const empty = await unary(client, "AnswerInput", { run_id: runId, step: SEAT_QUESTION.step }, bearerMetadata(acme));
    expect(empty.ok ? undefined : empty.error.details).toContain("answer_json is required");
    expect((await t.store.get(runId))?.status).toBe("waiting_input");

    const answered = await unary<{ run_id: string; step: string; run_status: string }>(client, "AnswerInput", { run_id: runId, step: SEAT_QUESTION.step, answer_json: JSON.stringify({ seat: "12C" }) }, bearerMetadata(acme));
    if (!answered.ok) throw answered.error;
    expect(answered.value).toEqual({ run_id: runId, step: SEAT_QUESTION.step, run_status: "RUN_STATUS_QUEUED" });
    expect((await t.store.load(runId)).find((s) => s.key === SEAT_QUESTION.step)).toMatchObject({ status: "succeeded", output: { answer: { seat: "12C" } } });

    // Answered: the run is no longer waiting, so a second answer is FAILED_PRECONDITION.
    const again = await unary(client, "AnswerInput", { run_id: runId, step: SEAT_QUESTION.step, answer_json: JSON.stringify({ seat: "1A" }) }, bearerMetadata(acme));
    if (again.ok) throw new Error("a second answer was taken");
    expect(again.error.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(again.code).toBe("INPUT_NOT_WAITING");
  });

  it("NOT_FOUND for another tenant's run or no run; PERMISSION_DENIED without approvals:write; nothing answered", async () => {
    const runId = await seedWaitingInput(t.store, { runId: testRunId(702), tenant: "acme" });
    const request = { run_id: runId, step: SEAT_QUESTION.step, answer_json: JSON.stringify({ seat: "3C" }) };
    const other = await unary(client, "AnswerInput", request, bearerMetadata(await token({ tenant: "globex", sub: "mallory" })));
    expect(other.ok ? undefined : other.error.code).toBe(GrpcStatus.NOT_FOUND);
    const missing = await unary(client, "AnswerInput", { ...request, run_id: testRunId(799) }, bearerMetadata(acme));
    expect(missing.ok ? undefined : missing.error.code).toBe(GrpcStatus.NOT_FOUND);
    const reader = await unary(client, "AnswerInput", request, bearerMetadata(await token({ scope: "tasks:read tasks:write" })));
    if (reader.ok) throw new Error("an answer was taken without approvals:write");
    expect(reader.error.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(reader.code).toBe("INSUFFICIENT_SCOPE");
    const wrongStep = await unary(client, "AnswerInput", { ...request, step: "subtask/seat/input/9" }, bearerMetadata(acme));
    expect(wrongStep.ok ? undefined : wrongStep.error.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect((await t.store.get(runId))?.status).toBe("waiting_input");
    expect((await t.store.load(runId)).find((s) => s.key === SEAT_QUESTION.step)?.status).toBe("started");
  });
});
