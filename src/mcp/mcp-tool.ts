import { createHash } from "node:crypto";
import type { CallToolResult, Tool as McpToolInfo } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { defineTool, ToolError, type Tool } from "../tools/index.js";
import type { McpConnection } from "./mcp-connection.js";

/**
 * The zod schema for an MCP tool's JSON Schema: `z.fromJSONSchema` (zod 4) covers the common
 * subset (types, properties, required, enums, arrays, formats, `$defs`). A schema it cannot
 * convert (draft-07 `definitions` refs, exotic keywords) is accepted as any object and left
 * to the server, which validates its own input and answers with an error the model sees.
 */
export function mcpInputSchema(jsonSchema: McpToolInfo["inputSchema"]): { schema: z.ZodType; exact: boolean } {
  try {
    return { schema: z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0]), exact: true };
  } catch {
    return { schema: z.record(z.string(), z.unknown()), exact: false };
  }
}

/**
 * `mcp.<server>.<tool>`, fit for the registry: lowercase, other characters as `_`, and a short
 * hash when the name would pass 64 characters.
 */
export function mcpToolName(server: string, tool: string): string {
  const clean = tool.toLowerCase().replace(/[^a-z0-9_.-]/g, "_");
  const name = `mcp.${server}.${clean}`;
  if (name.length <= 64) return name;
  const hash = createHash("sha256").update(tool).digest("hex").slice(0, 8);
  return `${name.slice(0, 55)}_${hash}`;
}

/**
 * A registry tool that calls `info` on the connection's server. Calls go through the
 * ToolExecutor like any tool: validated input, the server's `timeoutMs` per attempt, retries of
 * MCP_UNAVAILABLE, the breaker. A result with `isError` fails the call (MCP_TOOL_ERROR); a
 * structured result is the output, else `{ content }`. The input schema and description follow
 * the server's current tool list; a tool the server stopped offering fails with
 * MCP_TOOL_REMOVED, and one it now marks destructive becomes sensitive (never the reverse).
 */
export function mcpTool(connection: McpConnection, info: McpToolInfo, name: string): Tool {
  const server = connection.server;
  const configured = server.sensitiveTools.includes("*") || server.sensitiveTools.includes(info.name);
  let shown = info;
  let schema = mcpInputSchema(info.inputSchema).schema;
  let destructive = info.annotations?.destructiveHint === true;
  /** The server's current definition, its schema converted once per change. */
  const current = (): McpToolInfo => {
    const now = connection.toolInfo(info.name) ?? shown;
    if (now !== shown) {
      shown = now;
      schema = mcpInputSchema(now.inputSchema).schema;
      destructive ||= now.annotations?.destructiveHint === true;
    }
    return now;
  };
  const readOnly = info.annotations?.readOnlyHint === true;
  const tool = defineTool({
    name,
    description: describe(info, server.name),
    input: schema,
    output: z.unknown(),
    timeoutMs: server.timeoutMs,
    retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000 },
    idempotent: readOnly || info.annotations?.idempotentHint === true,
    // Annotations come from the server and may only add caution: an explicit destructive hint
    // makes the tool sensitive, a read-only hint never removes the operator's choice.
    sensitive: configured || destructive,
    handler: async (input, context) => {
      if (connection.state === "ready" && connection.toolInfo(info.name) === undefined) {
        throw new ToolError("MCP_TOOL_REMOVED", `${name}: MCP server "${server.name}" no longer offers the tool "${info.name}"`);
      }
      const result = await connection.callTool(info.name, input as Record<string, unknown>, context.signal);
      if (result.isError) throw new ToolError("MCP_TOOL_ERROR", `${name}: ${textOf(result)}`);
      return result.structuredContent ?? { content: result.content };
    },
  });
  // Read at every use (validation, the model's tool list, the approval gate), so they follow the server.
  return Object.defineProperties(tool, {
    input: { get: () => (current(), schema), enumerable: true },
    description: { get: () => describe(current(), server.name), enumerable: true },
    sensitive: { get: () => (current(), configured || destructive), enumerable: true },
  });
}

function describe(info: McpToolInfo, server: string): string {
  return `${info.description ?? info.title ?? info.name} (MCP server "${server}")`;
}

function textOf(result: CallToolResult): string {
  const text = result.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("\n");
  return text === "" ? "the tool reported an error" : text.slice(0, 2_000);
}
