import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

export interface DoorTarget {
  readonly baseUrl: string;
  readonly grpcAddress?: string;
}

export type DoorOperation = "submitTask" | "getTask" | "listTasks" | "cancelTask" | "decideApproval";
export type DoorResult = { ok: true; body: unknown } | { ok: false; code: string };

/** An MCP client of `<baseUrl>/mcp` with the token as its bearer; closed by the caller. */
export async function connectMcp(target: DoorTarget, token: string | undefined): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL("/mcp", target.baseUrl), token === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const client = new Client({ name: "cs-agents-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

/** The problem code a tool result carries (in its structured content), or null for a success. */
export function problemCode(result: CallToolResult): string | null {
  if (result.isError !== true) return null;
  const code = (result.structuredContent as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : "UNKNOWN";
}

/** Codes for what the HTTP layer answers before MCP (the body is problem+json, the SDK error has the status). */
const CODE_BY_STATUS: Readonly<Record<number, string>> = { 401: "UNAUTHENTICATED", 403: "INSUFFICIENT_SCOPE", 429: "RATE_LIMITED", 503: "AUTH_KEYS_UNAVAILABLE" };

/** One service operation through the MCP door, for the door × tenant × operation matrix. */
export async function callViaMcp(target: DoorTarget, token: string | undefined, operation: DoorOperation, input: { id?: string; description?: string; approvalId?: string; decision?: "approve" | "deny" }): Promise<DoorResult> {
  let client: Client | undefined;
  try {
    client = await connectMcp(target, token);
    const [name, args] = toolCall(operation, input);
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const code = problemCode(result);
    return code === null ? { ok: true, body: result.structuredContent } : { ok: false, code };
  } catch (error) {
    if (error instanceof StreamableHTTPError && error.code !== undefined && CODE_BY_STATUS[error.code]) return { ok: false, code: CODE_BY_STATUS[error.code] ?? "UNKNOWN" };
    if (/\b401\b/.test(String(error))) return { ok: false, code: "UNAUTHENTICATED" };
    throw error;
  } finally {
    await client?.close();
  }
}

function toolCall(operation: DoorOperation, input: { id?: string; description?: string; approvalId?: string; decision?: "approve" | "deny" }): [string, Record<string, unknown>] {
  switch (operation) {
    case "submitTask":
      return ["submit_task", { description: input.description ?? "" }];
    case "getTask":
      return ["get_task", { id: input.id ?? "" }];
    case "listTasks":
      return ["list_runs", {}];
    case "cancelTask":
      return ["cancel_task", { id: input.id ?? "" }];
    case "decideApproval":
      return [input.decision === "deny" ? "deny_step" : "approve_step", { approval_id: input.approvalId ?? "" }];
  }
}
