import { A2AError, JsonRpcRequestMalformedError, JsonRpcTaskNotCancelableError, JsonRpcTaskNotFoundError, JsonRpcUnsupportedOperationError } from "@a2a-js/sdk/errors";
import { STATUS_BY_CODE } from "../../api/index.js";
import { CsAgentsError } from "../../core/index.js";

/** What the service refused with: its problem code, the HTTP status REST would send, the text. */
export interface DoorProblem {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

const ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";
const INTERNAL_MESSAGE = "the server failed to answer this request; it was logged";
const UNAVAILABLE_MESSAGE = "the service is unavailable; try again";

/** The problem any error stands for; anything that is not a known problem is INTERNAL with a fixed text. */
export function problemFrom(error: unknown): DoorProblem {
  if (error instanceof A2aDoorError) return { code: error.code, status: error.status, message: error.message, headers: {} };
  if (error instanceof CsAgentsError && error.code !== "INTERNAL") {
    const status = (STATUS_BY_CODE as Readonly<Record<string, number>>)[error.code];
    if (status !== undefined) {
      const headers = (error as { headers?: Readonly<Record<string, string>> }).headers ?? {};
      // 503 messages name hosts and drivers; they stay in the server log.
      return { code: error.code, status, message: status === 503 ? UNAVAILABLE_MESSAGE : error.message, headers };
    }
  }
  return { code: "INTERNAL", status: 500, message: INTERNAL_MESSAGE, headers: {} };
}

// JSON-RPC error codes: A2A's own where one fits (§5.4), the implementation-defined server
// error otherwise. The problem code itself always travels in the ErrorInfo's metadata.
const A2A_REASON: Readonly<Record<string, { readonly rpc: number; readonly reason: string }>> = {
  NOT_FOUND: { rpc: -32001, reason: "TASK_NOT_FOUND" },
  RUN_FINISHED: { rpc: -32002, reason: "TASK_NOT_CANCELABLE" },
  INVALID_INPUT: { rpc: -32602, reason: "INVALID_PARAMS" },
  UNKNOWN_FIELDS: { rpc: -32602, reason: "INVALID_PARAMS" },
  INVALID_JSON: { rpc: -32602, reason: "INVALID_PARAMS" },
  JSON_TOO_DEEP: { rpc: -32602, reason: "INVALID_PARAMS" },
  IDEMPOTENCY_KEY_REUSED: { rpc: -32602, reason: "INVALID_PARAMS" },
  UNSUPPORTED: { rpc: -32004, reason: "UNSUPPORTED_OPERATION" },
};
const SERVER_ERROR = -32000;
const INTERNAL_ERROR = -32603;

/** Problems that are about the HTTP request itself (who, how often, whether the server can): answered with their HTTP status. */
const HTTP_LEVEL = new Set(["UNAUTHENTICATED", "INSUFFICIENT_SCOPE", "RATE_LIMITED", "AUTH_KEYS_UNAVAILABLE", "STORE_UNREACHABLE", "JOURNAL_UNAVAILABLE", "NOT_READY", "INTERNAL"]);

export interface RpcError {
  readonly code: number;
  readonly message: string;
  readonly data: readonly Record<string, unknown>[];
}

/**
 * The JSON-RPC `error` for a problem: `data[0]` is a google.rpc.ErrorInfo whose
 * `metadata.code` is the service's problem code (NOT_FOUND, INSUFFICIENT_SCOPE, ...).
 */
export function rpcErrorOf(problem: DoorProblem): RpcError {
  const a2a = A2A_REASON[problem.code];
  const info = {
    "@type": ERROR_INFO,
    reason: a2a?.reason ?? problem.code,
    domain: a2a ? "a2a-protocol.org" : "cs-agents",
    metadata: { code: problem.code, status: String(problem.status) },
  };
  return { code: a2a?.rpc ?? (problem.code === "INTERNAL" ? INTERNAL_ERROR : SERVER_ERROR), message: problem.message, data: [info] };
}

/** The HTTP status a JSON-RPC error answer goes out with: 200 unless the problem is about the request itself. */
export function httpStatusOf(problem: DoorProblem): number {
  return HTTP_LEVEL.has(problem.code) ? problem.status : 200;
}

/** An SDK error for a problem, for the SDK's transport to carry (the door then replaces its envelope with rpcErrorOf). */
export function sdkErrorOf(problem: DoorProblem): A2AError {
  const options = { message: problem.message, metadata: { code: problem.code, status: String(problem.status) } };
  switch (A2A_REASON[problem.code]?.reason) {
    case "TASK_NOT_FOUND":
      return new JsonRpcTaskNotFoundError(options);
    case "TASK_NOT_CANCELABLE":
      return new JsonRpcTaskNotCancelableError(options);
    case "INVALID_PARAMS":
      return new JsonRpcRequestMalformedError(options);
    case "UNSUPPORTED_OPERATION":
      return new JsonRpcUnsupportedOperationError(options);
    default:
      return new A2AError(options);
  }
}

/** A door-side refusal that has no service problem code of its own (e.g. push notifications). */
export class A2aDoorError extends CsAgentsError {
  readonly status: number;
  constructor(code: "UNSUPPORTED" | "INVALID_INPUT", message: string) {
    super(code, message);
    this.status = code === "UNSUPPORTED" ? 501 : 400;
  }
}
