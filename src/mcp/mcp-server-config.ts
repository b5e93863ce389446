import { z } from "zod";

const common = {
  /** Becomes the middle of tool names: `mcp.<name>.<tool>`. */
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,23}$/, "must be 1-24 lowercase letters, digits, '_' or '-', starting with a letter"),
  /** Agents allowed to call every tool of this server (added to their allow-lists). */
  agents: z.array(z.string()).default([]),
  /** Tools of this server that need a person's approval before each call; "*" for all. */
  sensitiveTools: z.array(z.string()).default([]),
  /** Per call attempt, in the executor. */
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /**
   * How long the start waits for the server to answer, trying again with backoff (a sidecar
   * may start after this process).
   */
  startTimeoutMs: z.number().int().min(0).max(600_000).default(10_000),
  /**
   * false: a server that did not answer within `startTimeoutMs` is left out (its tools are
   * missing until the next start) instead of failing the start.
   */
  required: z.boolean().default(true),
};

/** One MCP server as configured in CS_AGENTS_MCP_SERVERS (a JSON array of these). */
export const McpServerConfigSchema = z.discriminatedUnion("transport", [
  z.object({
    ...common,
    transport: z.literal("stdio"),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Added to the few variables the SDK passes on (PATH, HOME, …); ours, secrets included, are not. */
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
  }),
  z.object({
    ...common,
    transport: z.literal("http"),
    url: z.string().regex(/^https?:\/\/\S+$/, "must be an http(s) URL"),
    /** e.g. an Authorization header; never logged. */
    headers: z.record(z.string(), z.string()).default({}),
  }),
]);

export type McpServerConfig = z.output<typeof McpServerConfigSchema>;

/** The list, with names unique. */
export const McpServersSchema = z
  .array(McpServerConfigSchema)
  .max(32)
  .refine((servers) => new Set(servers.map((s) => s.name)).size === servers.length, "server names must be unique");
