// What this door needs of the API's service layer, in one place.
import { CsAgentsError } from "../../core/index.js";
export { ApiError } from "../../api/index.js";
export { problemOf as problemOfError } from "../../api/problem.js";

export type DoorName = "rest" | "mcp" | "a2a" | "grpc";

export interface Caller {
  readonly door: DoorName;
  readonly authorization?: string | undefined;
  readonly address: string;
  readonly traceparent?: string | undefined;
  readonly acceptLanguage?: string | undefined;
}

export interface OperationInput {
  readonly params?: unknown;
  readonly query?: unknown;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
}

export interface ServiceAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly type?: string;
}

export type GrpcOperationId = "submitTask" | "listTasks" | "getTask" | "cancelTask" | "listApprovals" | "decideApproval" | "listTools" | "listAgents";

export interface RunEventRecord {
  readonly id: number;
  readonly type: string;
  readonly data: unknown;
}

/** The part of the API's `Service` the gRPC door calls. */
export interface DoorService {
  call(operation: GrpcOperationId, caller: Caller, input?: OperationInput): Promise<ServiceAnswer>;
  events(caller: Caller, runId: string, options: { readonly afterId?: number; readonly signal: AbortSignal }): Promise<AsyncIterable<RunEventRecord>>;
}

/**
 * The service layer of an API server (`ApiServer#service`), as the gRPC door calls it.
 * @throws CsAgentsError (GRPC_CONFIG) when the server has none.
 */
export function doorServiceOf(server: object): DoorService {
  const service = (server as { readonly service?: DoorService }).service;
  if (!service) throw new CsAgentsError("GRPC_CONFIG", "this API server has no service layer for the gRPC door to call");
  return service;
}
