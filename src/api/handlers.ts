import type { z } from "zod";
import type { Principal } from "../auth/index.js";
import { approvalHandlers } from "./approval-handlers.js";
import { forkHandlers } from "./fork-handlers.js";
import { inputHandlers } from "./input-handlers.js";
import type { MetricsRegistry } from "../observability/index.js";
import type { OperationId } from "./operations.js";
import type { AgentListSchema, McpServerListSchema, ToolListSchema } from "./schemas.js";
import type { ApiDeps, ResolvedApiOptions } from "./server.js";
import type { Caller } from "./service.js";
import { inspectionHandlers } from "./inspection-handlers.js";
import { scheduleHandlers } from "./schedule-handlers.js";
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
  readonly deps: Required<Omit<ApiDeps, "live">>;
  readonly options: ResolvedApiOptions;
  readonly metrics: MetricsRegistry;
  /** True once the server began to shut down. */
  readonly draining: () => boolean;
  /** Idempotency keys (per tenant) of submissions being created right now in this process. */
  readonly submissionsInFlight: Set<string>;
  /** The authenticated caller; with auth off, the local principal. */
  readonly principal: Principal;
  /** How the call came in (its door, trace context). */
  readonly caller: Caller;
  /** Already validated with the operation's schemas. */
  readonly input: { readonly params: unknown; readonly query: unknown; readonly body: unknown };
  /** Already validated. */
  readonly idempotencyKey?: string;
}

/** A JSON (or other) answer. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly type?: string;
  /** `body` as JSON text, when it was serialized once for every answer that sends it. */
  readonly json?: string;
}

export type Handler = (context: HandlerContext) => Promise<Answer>;

export const handlers: Readonly<Record<Exclude<OperationId, "taskEvents">, Handler>> = { ...taskHandlers, ...approvalHandlers, ...inputHandlers, ...forkHandlers, ...serviceHandlers, ...inspectionHandlers, ...scheduleHandlers };
