import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { problemOf } from "../../api/index.js";

/** What a failed tool call carries in `structuredContent`: the service's problem, as REST sends it. */
export interface ToolProblem {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
}

/** A successful tool result: the service's JSON body, as text for the model and as structured content. */
export function toolResult(body: unknown): CallToolResult {
  const structured = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : { value: body };
  return { content: [{ type: "text", text: JSON.stringify(body, null, 2) }], structuredContent: structured };
}

/**
 * A failed call as a tool result (`isError`), never a protocol error: the model reads the code and
 * detail and can act on them (ask for a token with another scope, fix an id). Anything the
 * service did not name is INTERNAL with a fixed detail, as REST answers it.
 */
export function toolError(error: unknown): CallToolResult {
  const problem = problemOf(error);
  const structured: ToolProblem = { code: problem.code, status: problem.status, detail: problem.detail };
  return { isError: true, content: [{ type: "text", text: `${problem.code}: ${problem.detail}` }], structuredContent: { ...structured } };
}

/** JSON-RPC error codes for resource reads (which have no `isError` form); -32002 is MCP's "resource not found". */
const RESOURCE_NOT_FOUND = -32002;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

/** A failed resource read as a JSON-RPC error whose `data` is the service's problem (code, status, detail). */
export function resourceError(error: unknown): McpError {
  const problem = problemOf(error);
  const rpcCode = problem.code === "NOT_FOUND" ? RESOURCE_NOT_FOUND : problem.status === 400 ? INVALID_PARAMS : INTERNAL_ERROR;
  const data: ToolProblem = { code: problem.code, status: problem.status, detail: problem.detail };
  return new McpError(rpcCode, `${problem.code}: ${problem.detail}`, data);
}
