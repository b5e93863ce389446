import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvalId } from "../../src/api/index.js";
import { a2aDoor } from "../../src/doors/a2a/index.js";
import { GrpcDoor } from "../../src/doors/grpc/index.js";
import { mcpHttpDoor } from "../../src/doors/mcp/index.js";
import { makeApi, seedApproval, testRunId, token, type TestApi } from "../api/harness.js";
import { callViaA2a } from "./a2a-caller.js";
import { callViaGrpc } from "./grpc-caller.js";
import { callViaMcp } from "./mcp-caller.js";

type Operation = "submitTask" | "getTask" | "listTasks" | "cancelTask" | "decideApproval";
type Input = { id?: string; description?: string; approvalId?: string; decision?: "approve" | "deny" };
type Result = { ok: true; body: unknown } | { ok: false; code: string };
interface Target { readonly baseUrl: string; readonly grpcAddress: string }

/** The REST door as a plain HTTP client sees it. */
async function callViaRest(target: Target, jwt: string | undefined, operation: Operation, input: Input): Promise<Result> {
  const send = async (method: string, path: string, body?: unknown): Promise<Result> => {
    const headers: Record<string, string> = { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) };
    const res = await fetch(`${target.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const json = (await res.json()) as { code?: string };
    return res.ok ? { ok: true, body: json } : { ok: false, code: json.code ?? `HTTP_${res.status}` };
  };
  switch (operation) {
    case "submitTask":
      return send("POST", "/v1/tasks", { description: input.description });
    case "getTask":
      return send("GET", `/v1/tasks/${input.id}`);
    case "listTasks":
      return send("GET", "/v1/tasks");
    case "cancelTask":
      return send("POST", `/v1/tasks/${input.id}/cancel`);
    case "decideApproval": {
      const listed = await send("GET", "/v1/approvals");
      if (!listed.ok) return listed;
      const approval = (listed.body as { items: { id: string; argsHash: string }[] }).items.find((item) => item.id === input.approvalId);
      return send("POST", `/v1/approvals/${input.approvalId}`, { decision: input.decision, argsHash: approval?.argsHash ?? "0".repeat(64) });
    }
  }
}

const DOORS = {
  rest: callViaRest,
  mcp: callViaMcp,
  a2a: callViaA2a,
  grpc: callViaGrpc,
} as const satisfies Record<string, (target: Target, jwt: string | undefined, operation: Operation, input: Input) => Promise<Result>>;

let t: TestApi;
let grpc: GrpcDoor;
let target: Target;
let runId: string;
let pending: string;

beforeAll(async () => {
  t = await makeApi({}, undefined, { doors: [mcpHttpDoor({ version: "test" }), a2aDoor({ authOn: true, version: "test" })] });
  const address = await t.api.listen(0, "127.0.0.1");
  grpc = new GrpcDoor(t.api.service, { authOff: false });
  const port = await grpc.listen(0, "127.0.0.1");
  target = { baseUrl: `http://127.0.0.1:${address.port}`, grpcAddress: `127.0.0.1:${port}` };
  // Tenant acme's run, waiting for a person to approve a payment; no worker runs here, so nothing moves it but a door.
  const seeded = await seedApproval(t.store, { runId: testRunId(1), tenant: "acme", submittedBy: "carol" });
  runId = seeded.runId;
  pending = approvalId(runId, seeded.stepKey);
});

afterAll(async () => {
  await grpc?.close();
  await t?.close();
});

/**
 * Every door reaches the same service, so none may open a hole the others do not have: the
 * same refusals, with the same problem codes, whichever protocol asks — and nothing changed.
 */
describe.each(Object.keys(DOORS) as (keyof typeof DOORS)[])("door %s", (door) => {
  const call = (jwt: string | undefined, operation: Operation, input: Input = {}) => DOORS[door](target, jwt, operation, input);

  it("another tenant's run is not found: get, cancel and decide", async () => {
    const intruder = await token({ tenant: "globex", sub: "mallory" });
    expect(await call(intruder, "getTask", { id: runId })).toEqual({ ok: false, code: "NOT_FOUND" });
    expect(await call(intruder, "cancelTask", { id: runId })).toEqual({ ok: false, code: "NOT_FOUND" });
    expect(await call(intruder, "decideApproval", { approvalId: pending, decision: "approve" })).toEqual({ ok: false, code: "NOT_FOUND" });
    expect((await t.store.get(runId))?.status).toBe("waiting_approval");
  });

  it("another tenant's runs are not listed", async () => {
    const listed = await call(await token({ tenant: "globex", sub: "mallory" }), "listTasks");
    expect(listed.ok).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(runId);
  });

  it("a missing scope is refused: submit without tasks:write, decide without approvals:write", async () => {
    const before = (await t.store.list({ tenant: "acme", limit: 100 })).length;
    expect(await call(await token({ tenant: "acme", scope: "tasks:read" }), "submitTask", { description: "生成季度财务报告" })).toEqual({ ok: false, code: "INSUFFICIENT_SCOPE" });
    expect(await call(await token({ tenant: "acme", sub: "dave", scope: "tasks:read tasks:write" }), "decideApproval", { approvalId: pending, decision: "approve" })).toEqual({ ok: false, code: "INSUFFICIENT_SCOPE" });
    expect((await t.store.list({ tenant: "acme", limit: 100 })).length).toBe(before);
    expect((await t.store.get(runId))?.status).toBe("waiting_approval");
  });

  it("no token is unauthenticated", async () => {
    expect(await call(undefined, "getTask", { id: runId })).toEqual({ ok: false, code: "UNAUTHENTICATED" });
  });

  it("the owner's tenant sees its run", async () => {
    const seen = await call(await token({ tenant: "acme", sub: "alice" }), "getTask", { id: runId });
    expect(seen.ok).toBe(true);
    expect(JSON.stringify(seen)).toContain(runId);
  });
});
