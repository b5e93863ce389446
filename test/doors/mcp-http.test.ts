import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpHttpDoor } from "../../src/doors/mcp/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { makeApi, SEAT_QUESTION, seedApproval, seedSucceeded, seedWaitingInput, testRunId, token, type TestApi } from "../api/harness.js";
import { callViaMcp, connectMcp, problemCode } from "./mcp-caller.js";

let t: TestApi;
let baseUrl: string;
let worker: Worker;
const clients: Client[] = [];

beforeAll(async () => {
  t = await makeApi({}, undefined, { doors: [mcpHttpDoor({ version: "test" })], onSubmitted: () => worker.wake() });
  const address = await t.api.listen(0, "127.0.0.1");
  baseUrl = `http://127.0.0.1:${address.port}`;
  worker = new Worker({ store: t.store, engine: createRuntime().engine, concurrency: 2, pollMs: 20 });
  worker.start();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await worker.stop(5_000);
  await t.close();
});

async function client(options: { tenant?: string; scope?: string; sub?: string } = {}): Promise<Client> {
  const c = await connectMcp({ baseUrl }, await token(options));
  clients.push(c);
  return c;
}

const structured = (result: unknown) => (result as CallToolResult).structuredContent as Record<string, unknown>;

describe("the MCP door over Streamable HTTP", () => {
  it("lists the tools with JSON input schemas and the artifact resource template", async () => {
    const c = await client();
    const { tools } = await c.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["answer_question", "approve_step", "cancel_task", "deny_step", "get_task", "list_approvals", "list_runs", "submit_task"]);
    const submit = tools.find((tool) => tool.name === "submit_task");
    expect(submit?.inputSchema).toMatchObject({ type: "object", properties: { description: { type: "string" }, wait: { type: "boolean" }, idempotency_key: { type: "string" } }, required: ["description"] });
    const { resourceTemplates } = await c.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate)).toContain("cs-agents://runs/{id}/artifacts/{name}");
  });

  it("runs the seed task to the end with progress per finished subtask, and serves its report as a resource", async () => {
    const c = await client();
    const progress: { progress: number; total?: number | undefined; message?: string | undefined }[] = [];
    const result = (await c.callTool({ name: "submit_task", arguments: { description: "生成季度财务报告", wait: true } }, undefined, { onprogress: (p) => progress.push(p), timeout: 60_000 })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const run = structured(result) as { id: string; status: string; artifacts: { name: string; mediaType: string }[] };
    expect(run.status).toBe("succeeded");
    const finished = progress.filter((p) => /subtask .* finished/.test(p.message ?? ""));
    expect(finished.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(finished.every((p) => p.total === 3)).toBe(true);

    const md = run.artifacts.find((a) => a.name.endsWith(".md"));
    expect(md).toBeDefined();
    const uri = `cs-agents://runs/${run.id}/artifacts/${md?.name ?? ""}`;
    const { resources } = await c.listResources();
    expect(resources.map((r) => r.uri)).toContain(uri);
    const read = await c.readResource({ uri });
    const content = read.contents[0] as { text?: string; mimeType?: string };
    expect(content.mimeType).toBe(md?.mediaType);
    expect(content.text?.length).toBeGreaterThan(50);
    const xlsx = run.artifacts.find((a) => a.name.endsWith(".xlsx"));
    if (xlsx) {
      const blob = (await c.readResource({ uri: `cs-agents://runs/${run.id}/artifacts/${xlsx.name}` })).contents[0] as { blob?: string };
      expect(Buffer.from(blob.blob ?? "", "base64").subarray(0, 2).toString()).toBe("PK");
    }
  });

  it("returns at once without wait, the same run for the same idempotency key, and lists it", async () => {
    const c = await client({ tenant: "idem" });
    const args = { description: "生成季度财务报告", idempotency_key: "mcp-key-1" };
    const first = structured(await c.callTool({ name: "submit_task", arguments: args }));
    const again = structured(await c.callTool({ name: "submit_task", arguments: args }));
    expect(again.id).toBe(first.id);
    const reused = (await c.callTool({ name: "submit_task", arguments: { ...args, description: "another task" } })) as CallToolResult;
    expect(problemCode(reused)).toBe("IDEMPOTENCY_KEY_REUSED");
    const listed = structured(await c.callTool({ name: "list_runs", arguments: { limit: 5 } })) as { items: { id: string }[] };
    expect(listed.items.map((r) => r.id)).toEqual([first.id]);
  });

  it("keeps tenants apart: tenant B's token gets NOT_FOUND for tenant A's run, as a tool result and as a resource", async () => {
    const id = testRunId(1);
    await seedSucceeded(t.store, id, "acme");
    const b = await client({ tenant: "other" });
    const result = (await b.callTool({ name: "get_task", arguments: { id } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ code: "NOT_FOUND", status: 404 });
    await expect(b.readResource({ uri: `cs-agents://runs/${id}/artifacts/report.md` })).rejects.toMatchObject({ code: -32002, data: { code: "NOT_FOUND" } });
    const a = await client({ tenant: "acme" });
    const read = await a.readResource({ uri: `cs-agents://runs/${id}/artifacts/report.md` });
    expect((read.contents[0] as { text?: string }).text).toBe("# Report\n");
  });

  it("enforces approvals:write through the service; a token with it approves", async () => {
    const { runId, stepKey } = await seedApproval(t.store, { runId: testRunId(2), tenant: "acme", submittedBy: "alice" });
    const approvalId = (structured(await (await client({ sub: "carol" })).callTool({ name: "get_task", arguments: { id: runId } })) as { pendingApprovals: string[] }).pendingApprovals[0];
    expect(approvalId).toBeDefined();
    const reader = await client({ sub: "bob", scope: "tasks:read tasks:write" });
    const refused = (await reader.callTool({ name: "approve_step", arguments: { approval_id: approvalId } })) as CallToolResult;
    expect(problemCode(refused)).toBe("INSUFFICIENT_SCOPE");
    const approver = await client({ sub: "bob", scope: "tasks:read approvals:write" });
    const approved = structured(await approver.callTool({ name: "approve_step", arguments: { approval_id: approvalId, reason: "checked" } }));
    expect(approved).toMatchObject({ runId, stepKey, decision: "approve" });
    const twice = (await approver.callTool({ name: "deny_step", arguments: { approval_id: approvalId } })) as CallToolResult;
    expect(problemCode(twice)).toBe("NOT_AMBIGUOUS");
  });

  it("answers a run's open question through the service: a bad answer is refused with its path, a good one queues the run", async () => {
    const runId = await seedWaitingInput(t.store, { runId: testRunId(30), tenant: "acme" });
    const c = await client({ sub: "carol" });
    const run = structured(await c.callTool({ name: "get_task", arguments: { id: runId } })) as { questions: { step: string }[] };
    expect(run.questions.map((q) => q.step)).toEqual([SEAT_QUESTION.step]);
    const bad = (await c.callTool({ name: "answer_question", arguments: { run_id: runId, step: SEAT_QUESTION.step, answer: { seat: "aisle" } } })) as CallToolResult;
    expect(problemCode(bad)).toBe("INVALID_INPUT");
    const answered = structured(await c.callTool({ name: "answer_question", arguments: { run_id: runId, step: SEAT_QUESTION.step, answer: { seat: "3C" } } }));
    expect(answered).toMatchObject({ runId, step: SEAT_QUESTION.step });
    expect((await t.store.load(runId)).find((s) => s.key === SEAT_QUESTION.step)).toMatchObject({ status: "succeeded", output: { answer: { seat: "3C" } } });
  });

  it("answers 401 with WWW-Authenticate before the MCP layer when the token is missing or bad", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } });
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    for (const extra of [{}, { authorization: "Bearer not-a-token" }]) {
      const res = await fetch(`${baseUrl}/mcp`, { method: "POST", headers: { ...headers, ...extra }, body });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(await res.json()).toMatchObject({ code: "UNAUTHENTICATED" });
    }
    await expect(connectMcp({ baseUrl }, undefined)).rejects.toThrow(/401/);
    expect(await callViaMcp({ baseUrl }, undefined, "listTasks", {})).toEqual({ ok: false, code: "UNAUTHENTICATED" });
  });

  it("cancels a run, and says RUN_FINISHED for one that has ended", async () => {
    const c = await client({ tenant: "cancels" });
    const { runId } = await seedApproval(t.store, { runId: testRunId(3), tenant: "cancels" });
    const cancelled = structured(await c.callTool({ name: "cancel_task", arguments: { id: runId } }));
    expect(cancelled).toMatchObject({ id: runId, status: "cancelled" });
    await seedSucceeded(t.store, testRunId(4), "cancels");
    expect(problemCode((await c.callTool({ name: "cancel_task", arguments: { id: testRunId(4) } })) as CallToolResult)).toBe("RUN_FINISHED");
  });

  it("answers GET with 405 (stateless: no server stream)", async () => {
    const res = await fetch(`${baseUrl}/mcp`, { headers: { authorization: `Bearer ${await token()}`, accept: "text/event-stream" } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("reports bad arguments as a tool error, not a crash", async () => {
    const c = await client();
    const result = (await c.callTool({ name: "get_task", arguments: { id: "nope" } })) as CallToolResult;
    expect(problemCode(result)).toBe("NOT_FOUND");
    const invalid = (await c.callTool({ name: "submit_task", arguments: { description: "" } })) as CallToolResult;
    expect(invalid.isError).toBe(true);
  });

  it("callViaMcp gives the service's codes for the matrix", async () => {
    const submitted = await callViaMcp({ baseUrl }, await token({ tenant: "matrix" }), "submitTask", { description: "生成季度财务报告" });
    expect(submitted.ok).toBe(true);
    const id = (submitted as { body: { id: string } }).body.id;
    expect(await callViaMcp({ baseUrl }, await token({ tenant: "elsewhere" }), "getTask", { id })).toEqual({ ok: false, code: "NOT_FOUND" });
    expect(await callViaMcp({ baseUrl }, await token({ tenant: "matrix", scope: "tasks:read" }), "cancelTask", { id })).toEqual({ ok: false, code: "INSUFFICIENT_SCOPE" });
  });
});
