import type { Principal, Scope } from "../../auth/index.js";

// The slice of the API's Service (src/api/service.ts) this door calls. Written out while the
// service lands on main; the real Service satisfies it structurally.

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

export type ServiceOperationId =
  | "submitTask" | "listTasks" | "getTask" | "cancelTask" | "getArtifact" | "getTaskSteps"
  | "listApprovals" | "decideApproval" | "listTools" | "listAgents" | "listMcpServers"
  | "listAudit" | "verifyAudit";

export interface RunEventRecord {
  readonly id: number;
  readonly type: string;
  readonly data: unknown;
}

export interface DoorService {
  call(operation: ServiceOperationId, caller: Caller, input?: OperationInput): Promise<ServiceAnswer>;
  events(caller: Caller, runId: string, options: { readonly afterId?: number; readonly signal: AbortSignal }): Promise<AsyncIterable<RunEventRecord>>;
  authenticate(caller: Caller, scope: Scope | null): Promise<Principal>;
}
