import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { Principal } from "../auth/index.js";
import { approvalHandlers } from "./approval-handlers.js";
import type { MetricsRegistry } from "../observability/index.js";
import type { OperationId } from "./operations.js";
import type { AgentListSchema, McpServerListSchema, ToolListSchema } from "./schemas.js";
import type { ApiDeps, ApiServer, ResolvedApiOptions } from "./server.js";
import { inspectionHandlers } from "./inspection-handlers.js";
import { serviceHandlers } from "./service-handlers.js";
import { taskHandlers } from "./task-handlers.js";

/** What the API lists at /v1/tools and /v1/agents; the composition root builds it from the registries. */
export interface Catalog {
  readonly tools: z.infer<typeof ToolListSchema>["items"];
  readonly agents: z.infer<typeof AgentListSchema>["items"];
  /** The MCP servers the tools came from, with their connection state now. */
  readonly mcpServers: () => z.infer<typeof McpServerListSchema>["items"];
}

export interface HandlerContext {
  readonly deps: Required<ApiDeps>;
  readonly options: ResolvedApiOptions;
  readonly metrics: MetricsRegistry;
  readonly server: ApiServer;
  /** The caller; with auth off, the local principal. */
  readonly principal: Principal;
  /** Already validated with the operation's schemas. */
  readonly input: { readonly params: unknown; readonly query: unknown; readonly body: unknown };
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  /** Open event streams, ended when the server drains. */
  readonly streams: Set<AbortController>;
}

/** A JSON (or other) answer; undefined when the handler wrote the response itself (SSE). */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly type?: string;
}

export type Handler = (context: HandlerContext) => Promise<Answer | undefined>;

export const handlers: Readonly<Record<OperationId, Handler>> = { ...taskHandlers, ...approvalHandlers, ...serviceHandlers, ...inspectionHandlers };
