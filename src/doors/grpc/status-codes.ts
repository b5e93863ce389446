import { Metadata, status as GrpcStatus } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { ApiError, problemOfError } from "./service-port.js";

/**
 * Problem code → gRPC status. Codes not named here fall back by their HTTP status (below), so a
 * code added to the API later still maps to something sensible.
 */
const STATUS_BY_PROBLEM: Readonly<Record<string, GrpcStatus>> = {
  INVALID_INPUT: GrpcStatus.INVALID_ARGUMENT,
  INVALID_JSON: GrpcStatus.INVALID_ARGUMENT,
  UNKNOWN_FIELDS: GrpcStatus.INVALID_ARGUMENT,
  JSON_TOO_DEEP: GrpcStatus.INVALID_ARGUMENT,
  UNSUPPORTED_MEDIA_TYPE: GrpcStatus.INVALID_ARGUMENT,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  INSUFFICIENT_SCOPE: GrpcStatus.PERMISSION_DENIED,
  SEPARATE_APPROVER_REQUIRED: GrpcStatus.PERMISSION_DENIED,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  METHOD_NOT_ALLOWED: GrpcStatus.UNIMPLEMENTED,
  REQUEST_TIMEOUT: GrpcStatus.DEADLINE_EXCEEDED,
  // The same key is being answered right now: retrying the same call later is right.
  IDEMPOTENCY_IN_PROGRESS: GrpcStatus.ABORTED,
  NOT_AMBIGUOUS: GrpcStatus.FAILED_PRECONDITION,
  APPROVAL_MISMATCH: GrpcStatus.FAILED_PRECONDITION,
  INPUT_NOT_WAITING: GrpcStatus.FAILED_PRECONDITION,
  RUN_FINISHED: GrpcStatus.FAILED_PRECONDITION,
  APPROVAL_EXPIRED: GrpcStatus.FAILED_PRECONDITION,
  IDEMPOTENCY_KEY_REUSED: GrpcStatus.FAILED_PRECONDITION,
  PAYLOAD_TOO_LARGE: GrpcStatus.RESOURCE_EXHAUSTED,
  URI_TOO_LONG: GrpcStatus.RESOURCE_EXHAUSTED,
  HEADERS_TOO_LARGE: GrpcStatus.RESOURCE_EXHAUSTED,
  RATE_LIMITED: GrpcStatus.RESOURCE_EXHAUSTED,
  TOO_MANY_ACTIVE_RUNS: GrpcStatus.RESOURCE_EXHAUSTED,
  INTERNAL: GrpcStatus.INTERNAL,
  NOT_READY: GrpcStatus.UNAVAILABLE,
  AUTH_KEYS_UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  STORE_UNREACHABLE: GrpcStatus.UNAVAILABLE,
  JOURNAL_UNAVAILABLE: GrpcStatus.UNAVAILABLE,
};

function statusByHttp(httpStatus: number): GrpcStatus {
  if (httpStatus === 400) return GrpcStatus.INVALID_ARGUMENT;
  if (httpStatus === 401) return GrpcStatus.UNAUTHENTICATED;
  if (httpStatus === 403) return GrpcStatus.PERMISSION_DENIED;
  if (httpStatus === 404) return GrpcStatus.NOT_FOUND;
  if (httpStatus === 409 || httpStatus === 410 || httpStatus === 422) return GrpcStatus.FAILED_PRECONDITION;
  if (httpStatus === 429) return GrpcStatus.RESOURCE_EXHAUSTED;
  if (httpStatus === 503) return GrpcStatus.UNAVAILABLE;
  if (httpStatus >= 400 && httpStatus < 500) return GrpcStatus.FAILED_PRECONDITION;
  return GrpcStatus.INTERNAL;
}

export function grpcStatusOf(code: string, httpStatus: number): GrpcStatus {
  return STATUS_BY_PROBLEM[code] ?? statusByHttp(httpStatus);
}

/** The trailing metadata key that carries the service's problem code. */
export const CODE_METADATA_KEY = "cs-agents-code";

/**
 * Any error from the service layer as a gRPC error: the mapped status, the problem's detail as
 * the message, the problem code in trailing metadata, and retry advice for RATE_LIMITED and
 * the other codes that send Retry-After over HTTP.
 */
export function toServiceError(error: unknown): Partial<ServiceError> & Error {
  const problem = problemOfError(error);
  const metadata = new Metadata();
  metadata.set(CODE_METADATA_KEY, problem.code);
  const retryAfter = error instanceof ApiError ? error.headers["Retry-After"] : undefined;
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) {
    metadata.set("retry-after", retryAfter);
    // The key gRPC's own retry policy reads as the server's pushback.
    metadata.set("grpc-retry-pushback-ms", String(Number(retryAfter) * 1_000));
  }
  const code = grpcStatusOf(problem.code, problem.status);
  return Object.assign(new Error(problem.detail), { code, details: problem.detail, metadata });
}

/** A gRPC error this door makes itself (not from the service), e.g. an ended stream. */
export function doorError(code: GrpcStatus, problemCode: string, detail: string): Partial<ServiceError> & Error {
  const metadata = new Metadata();
  metadata.set(CODE_METADATA_KEY, problemCode);
  return Object.assign(new Error(detail), { code, details: detail, metadata });
}
