import type { Socket } from "node:net";
import { CsAgentsError } from "../core/index.js";
import { isStoreUnavailable } from "../store/index.js";
import { ApiError, problemOf } from "./problem.js";
import type { ProblemCode } from "./problem.js";

/** Seconds a client waits before retrying while the store is unreachable. */
const STORE_RETRY_AFTER_S = 5;

/** Fastify's longest path parameter (its `maxParamLength` default); longer ones answer 414. */
export const MAX_PARAM_LENGTH = 100;

/** Fastify's own errors, in our words: none of them echoes the URL or the body back. */
const FRAMEWORK_CODES: Readonly<Record<string, [ProblemCode, string, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ["PAYLOAD_TOO_LARGE", "the body is larger than the limit", "api.payload-too-large"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ["UNSUPPORTED_MEDIA_TYPE", "send the body as application/json", "api.unsupported-media-type"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ["INVALID_INPUT", "Content-Length does not match the body", "api.content-length-mismatch"],
  FST_ERR_CTP_EMPTY_JSON_BODY: ["INVALID_JSON", "the body is empty; send a JSON object", "api.empty-json"],
  FST_ERR_CTP_INVALID_JSON_BODY: ["INVALID_JSON", "the body is not valid JSON, or holds a forbidden __proto__ or constructor.prototype key", "api.invalid-json"],
  FST_ERR_BAD_URL: ["INVALID_INPUT", "the URL is malformed: a percent-encoded sequence does not decode to UTF-8", "api.bad-url"],
  FST_ERR_MAX_PARAM_LENGTH: ["URI_TOO_LONG", `a path segment is longer than ${MAX_PARAM_LENGTH} characters`, "api.uri-too-long"],
  FST_ERR_ASYNC_CONSTRAINT: ["INVALID_INPUT", "the request is malformed", "api.malformed"],
};

/** Fastify's own errors and store outages, translated to our codes; everything else passes through. */
export function mapFrameworkError(error: unknown): unknown {
  if (isStoreUnavailable(error)) return new ApiError("STORE_UNREACHABLE", "the store is unavailable; try again", { headers: { "Retry-After": String(STORE_RETRY_AFTER_S) }, cause: error });
  if (error instanceof CsAgentsError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === "string" ? FRAMEWORK_CODES[code] : undefined;
  if (known) return new ApiError(known[0], known[1], { i18n: { key: known[2], params: { max: MAX_PARAM_LENGTH } } });
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status === 408) return new ApiError("REQUEST_TIMEOUT", "the request took too long to arrive", { i18n: { key: "api.request-timeout" } });
  if (typeof status === "number" && status >= 400 && status < 500) return new ApiError("INVALID_INPUT", "the request is malformed", { i18n: { key: "api.malformed" } });
  return error;
}

/**
 * Answers what Node's HTTP parser refuses before any route sees it (a header block over the
 * limit, a slow client, a request that is not HTTP) with a problem document, then closes the
 * connection as Node does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const refused =
    error.code === "HPE_HEADER_OVERFLOW"
      ? new ApiError("HEADERS_TOO_LARGE", "the request's headers are larger than the limit")
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? new ApiError("REQUEST_TIMEOUT", "the request took too long to arrive")
        : new ApiError("INVALID_INPUT", "the request is not valid HTTP/1.1");
  const problem = problemOf(refused);
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
