import { TaskState } from "@a2a-js/sdk";
import type { StreamResponse, Task } from "@a2a-js/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiDeps } from "../../src/api/index.js";
import { a2aDoor } from "../../src/doors/a2a/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { bearer, makeApi, SEAT_QUESTION, seedApproval, seedWaitingInput, testRunId, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { a2aClient, authOf, callViaA2a, dataPart, problemCodeOf, sendRequest, textPart, userMessage } from "./a2a-caller.js";

const runtime = createRuntime();
let t: TestApi;
let base: string;
let acme: string;

beforeAll(async () => {
  const door = a2aDoor({ authOn: true, version: "9.9.9", templates: runtime.templatePlanner.capabilities() });
  t = await makeApi({}, undefined, { doors: [door] } as Partial<ApiDeps>);
  const address = await t.api.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
  acme = await token({ tenant: "acme" });
});

afterAll(async () => {
  await t.close();
});

async function rpc(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/a2a`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

function codeIn(json: Record<string, unknown>): unknown {
  const error = json.error as { data?: { metadata?: { code?: string } }[] } | undefined;
  return error?.data?.[0]?.metadata?.code;
}

describe("the agent card", () => {
  it("is public, names the JSON-RPC endpoint, streaming, the bearer scheme and the plan templates as skills", async () => {
    const res = await fetch(`${base}/.well-known/agent-card.json`);
    expect(res.status).toBe(200);
    const card = (await res.json()) as Record<string, unknown>;
    expect(card.name).toBe("cs-agents");
    expect(card.version).toBe("9.9.9");
    expect(card.supportedInterfaces).toContainEqual(expect.objectContaining({ url: `${base}/a2a`, protocolBinding: "JSONRPC", protocolVersion: "1.0" }));
    expect(card.capabilities).toMatchObject({ streaming: true });
    expect(card.securitySchemes).toMatchObject({ bearer: { httpAuthSecurityScheme: { scheme: "Bearer", bearerFormat: "JWT" } } });
    const skills = card.skills as { id: string; examples?: string[] }[];
    expect(skills.map((s) => s.id)).toContain("task");
    expect(skills.some((s) => s.id.startsWith("template.") && (s.examples ?? []).includes("生成季度财务报告"))).toBe(true);
  });

  it("lists the agents as skills when asked with a token that may list them", async () => {
    const res = await fetch(`${base}/.well-known/agent-card.json`, { headers: bearer(acme) });
    const card = (await res.json()) as { skills: { id: string }[] };
    const agents = runtime.agents.list().map((a) => `agent.${a.name}`);
    expect(agents.length).toBeGreaterThan(0);
    expect(card.skills.map((s) => s.id)).toEqual(expect.arrayContaining(agents));
    expect(res.headers.get("cache-control")).toMatch(/private/);
  });

  it("is what the SDK's client factory builds a client from", async () => {
    const client = await a2aClient(base);
    expect(client.protocolVersion).toBe("1.0");
  });
});

describe("a task through the A2A door", () => {
  it("streams the seed task to completion and gives the report as an artifact", async () => {
    const client = await a2aClient(base);
    const worker = new Worker({ store: t.store, engine: runtime.engine, concurrency: 1, pollMs: 20 });
    const events: StreamResponse[] = [];
    worker.start();
    try {
      const stream = client.sendMessageStream(sendRequest(userMessage([textPart("生成季度财务报告")], { contextId: "ctx-1" })), authOf(acme));
      for await (const event of stream) events.push(event);
    } finally {
      await worker.stop(5_000);
    }
    const first = events[0]?.payload;
    expect(first?.$case).toBe("task");
    const task = first?.value as Task;
    expect(task.contextId).toBe("ctx-1");
    expect(task.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    const updates = events.flatMap((e) => (e.payload?.$case === "statusUpdate" ? [e.payload.value] : []));
    expect(updates.some((u) => u.status?.state === TaskState.TASK_STATE_WORKING)).toBe(true);
    expect(updates.every((u) => u.taskId === task.id && u.contextId === "ctx-1")).toBe(true);
    const last = events[events.length - 1]?.payload;
    expect(last?.$case).toBe("statusUpdate");
    expect(last?.$case === "statusUpdate" ? last.value.status?.state : undefined).toBe(TaskState.TASK_STATE_COMPLETED);

    const artifacts = events.flatMap((e) => (e.payload?.$case === "artifactUpdate" && e.payload.value.artifact ? [e.payload.value.artifact] : []));
    const report = artifacts.find((a) => a.name === "report.md");
    expect(report?.parts[0]?.mediaType).toBe("text/markdown");
    const content = report?.parts[0]?.content;
    expect(content?.$case).toBe("text");
    expect(content?.$case === "text" ? content.value : "").toMatch(/^#/m);

    // The same task by id: completed, with its artifacts; other files are links to the REST route.
    const got = await client.getTask({ tenant: "", id: task.id, historyLength: undefined }, authOf(acme));
    expect(got.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(got.artifacts.map((a) => a.name)).toEqual(artifacts.map((a) => a.name));
    const linked = got.artifacts.flatMap((a) => a.parts).find((p) => p.content?.$case === "url");
    expect(linked).toBeDefined();
    const url = linked?.content?.$case === "url" ? linked.content.value : "";
    expect(url.startsWith(`${base}/v1/tasks/${task.id}/artifacts/`)).toBe(true);
    expect((await fetch(url, { headers: bearer(acme) })).status).toBe(200);
  });

  it("sends without waiting, then cancels the run", async () => {
    const client = await a2aClient(base);
    const sent = (await client.sendMessage(sendRequest(userMessage([textPart("生成季度财务报告")]), true), authOf(acme))) as Task;
    expect(sent.status?.state).toBe(TaskState.TASK_STATE_SUBMITTED);
    const cancelled = await client.cancelTask({ tenant: "", id: sent.id, metadata: undefined }, authOf(acme));
    expect(cancelled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    const got = await client.getTask({ tenant: "", id: sent.id, historyLength: undefined }, authOf(acme));
    expect(got.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect((await t.store.get(sent.id))?.status).toBe("cancelled");
  });

  it("one message id submits one task: a retried send gives the same run", async () => {
    const client = await a2aClient(base);
    const message = userMessage([textPart("生成季度财务报告")]);
    const a = (await client.sendMessage(sendRequest(message, true), authOf(acme))) as Task;
    const b = (await client.sendMessage(sendRequest(message, true), authOf(acme))) as Task;
    expect(b.id).toBe(a.id);
    const listed = await callViaA2a({ baseUrl: base }, acme, "listTasks", {});
    expect(listed.ok && (listed.body as { tasks: Task[] }).tasks.filter((task) => task.id === a.id)).toHaveLength(1);
  });
});

describe("who may do what", () => {
  it("another tenant's task is not found", async () => {
    const client = await a2aClient(base);
    const sent = (await client.sendMessage(sendRequest(userMessage([textPart("生成季度财务报告")]), true), authOf(acme))) as Task;
    const other = await token({ tenant: "globex" });
    const error = await client.getTask({ tenant: "", id: sent.id, historyLength: undefined }, authOf(other)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(problemCodeOf(error)).toBe("NOT_FOUND");
    expect(await callViaA2a({ baseUrl: base }, other, "cancelTask", { id: sent.id })).toEqual({ ok: false, code: "NOT_FOUND" });
    expect((await t.store.get(sent.id))?.status).toBe("queued");
  });

  it("a token without tasks:write cannot submit: 403 INSUFFICIENT_SCOPE, nothing created", async () => {
    const reader = await token({ tenant: "scoped", scope: "tasks:read" });
    expect(await callViaA2a({ baseUrl: base }, reader, "submitTask", { description: "生成季度财务报告" })).toEqual({ ok: false, code: "INSUFFICIENT_SCOPE" });
    const raw = await rpc({ jsonrpc: "2.0", id: 7, method: "SendMessage", params: { message: { messageId: "m-scope", role: "ROLE_USER", parts: [{ text: "生成季度财务报告" }] } } }, { ...bearer(reader), "a2a-version": "1.0" });
    expect(raw.status).toBe(403);
    expect(raw.json.id).toBe(7);
    expect(codeIn(raw.json)).toBe("INSUFFICIENT_SCOPE");
    expect(await t.store.list({ tenant: "scoped", limit: 10 })).toHaveLength(0);
  });

  it("no token: 401 with WWW-Authenticate, before any method runs", async () => {
    const raw = await rpc({ jsonrpc: "2.0", id: "x", method: "GetTask", params: { id: "whatever" } }, { "a2a-version": "1.0" });
    expect(raw.status).toBe(401);
    expect(raw.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(codeIn(raw.json)).toBe("UNAUTHENTICATED");
    expect(await callViaA2a({ baseUrl: base }, undefined, "listTasks", {})).toEqual({ ok: false, code: "UNAUTHENTICATED" });
  });
});

describe("A2A 0.3 clients", () => {
  it("message/send and tasks/get without an A2A-Version header", async () => {
    const sent = await rpc({ jsonrpc: "2.0", id: 1, method: "message/send", params: { message: { kind: "message", messageId: "legacy-1", role: "user", parts: [{ kind: "text", text: "生成季度财务报告" }] }, configuration: { blocking: false } } }, bearer(acme));
    expect(sent.status).toBe(200);
    const task = sent.json.result as { kind: string; id: string; status: { state: string } };
    expect(task.kind).toBe("task");
    expect(task.status.state).toBe("submitted");
    const got = await rpc({ jsonrpc: "2.0", id: 2, method: "tasks/get", params: { id: task.id } }, bearer(acme));
    expect((got.json.result as { id: string }).id).toBe(task.id);
    const missing = await rpc({ jsonrpc: "2.0", id: 3, method: "tasks/get", params: { id: "nope" } }, bearer(acme));
    expect((missing.json.error as { data: { code: string } }).data.code).toBe("NOT_FOUND");
  });
});

describe("a task waiting for a person", () => {
  it("is input-required; a reply with a decision on the task approves its pending call", async () => {
    const runId = testRunId(901);
    await seedApproval(t.store, { runId, tenant: "acme" });
    const client = await a2aClient(base);
    const waiting = await client.getTask({ tenant: "", id: runId, historyLength: undefined }, authOf(acme));
    expect(waiting.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const pending = (waiting.metadata?.pendingApprovals ?? []) as string[];
    expect(pending).toHaveLength(1);
    const approvalId = pending[0] ?? "";
    const said = waiting.status?.message?.parts[0]?.content;
    expect(said?.$case === "text" ? said.value : "").toContain(approvalId);

    // Watching it again shows the task and closes at the same interruption.
    const watched: StreamResponse[] = [];
    for await (const event of client.resubscribeTask({ tenant: "", id: runId }, authOf(acme))) watched.push(event);
    const end = watched[watched.length - 1]?.payload;
    expect(end?.$case === "statusUpdate" ? end.value.status?.state : undefined).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);

    const other = await token({ tenant: "globex", sub: "mallory" });
    expect(await callViaA2a({ baseUrl: base }, other, "decideApproval", { approvalId, decision: "approve" })).toEqual({ ok: false, code: "NOT_FOUND" });
    const approver = await token({ tenant: "acme", sub: "bob" });
    const decided = await callViaA2a({ baseUrl: base }, approver, "decideApproval", { approvalId, decision: "approve" });
    expect(decided.ok).toBe(true);
    expect((await t.store.get(runId))?.status).not.toBe("waiting_approval");
    expect((await t.store.load(runId)).find((s) => s.key === "subtask/pay/approval/0")?.status).toBe("succeeded");
  });

  it("is input-required while a tool waits for an answer; a reply with the answer answers its open question", async () => {
    const runId = await seedWaitingInput(t.store, { runId: testRunId(902), tenant: "acme" });
    const client = await a2aClient(base);
    const waiting = await client.getTask({ tenant: "", id: runId, historyLength: undefined }, authOf(acme));
    expect(waiting.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const said = waiting.status?.message?.parts[0]?.content;
    expect(said?.$case === "text" ? said.value : "").toContain("Which seat?");

    const bad = await client.sendMessage(sendRequest(userMessage([dataPart({ answer: { seat: "aisle" } })], { taskId: runId }), true), authOf(acme)).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Error);
    expect((await t.store.get(runId))?.status).toBe("waiting_input");
    await client.sendMessage(sendRequest(userMessage([dataPart({ answer: { seat: "5E" }, step: SEAT_QUESTION.step })], { taskId: runId }), true), authOf(acme));
    expect((await t.store.load(runId)).find((s) => s.key === SEAT_QUESTION.step)).toMatchObject({ status: "succeeded", output: { answer: { seat: "5E" } } });
  });
});
