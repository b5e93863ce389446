import type { APICallError } from "ai";
import { CsAgentsError } from "../core/index.js";

/**
 * A model endpoint failed. Codes: LLM_RATE_LIMITED (429), LLM_UNAVAILABLE (5xx, connection
 * refused or reset), LLM_TIMEOUT (no answer within the request timeout), LLM_REQUEST_FAILED
 * (any other 4xx: bad key, unknown model — retrying cannot help), LLM_BAD_RESPONSE (an answer
 * that is not the protocol). `retryAfterMs` carries the server's `Retry-After`.
 */
export class LlmError extends CsAgentsError {
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(code: string, message: string, options: { retryable: boolean; retryAfterMs?: number; status?: number }) {
    super(code, message, { retryable: options.retryable });
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/**
 * Turns whatever the SDK or fetch threw into an LlmError with the secret removed from its
 * message. The SDK's own error is not kept as `cause`: it holds the whole request body (every
 * tool output of the subtask) and would put it in logs.
 */
export function toLlmError(error: unknown, secret: string): LlmError {
  if (error instanceof LlmError) return error;
  const clean = (message: string) => redact(message, secret);
  if (isApiCallError(error)) {
    const status = error.statusCode;
    const retryAfterMs = retryAfter(error.responseHeaders);
    const detail = clean(`${status ?? "no status"} from ${error.url}: ${error.message}`);
    // A 200 the client could not read (garbage, an HTML error page from a proxy): the answer
    // is the problem, not the request.
    if (status !== undefined && status >= 200 && status < 300) {
      return new LlmError("LLM_BAD_RESPONSE", `the model endpoint answered ${status} with a body that is not the chat-completions protocol: ${detail}`, { retryable: false, status });
    }
    if (status === 429) return new LlmError("LLM_RATE_LIMITED", `the model endpoint is rate limiting: ${detail}`, { retryable: true, status, ...ms(retryAfterMs) });
    if (status === undefined || status >= 500 || status === 408) {
      return new LlmError("LLM_UNAVAILABLE", `the model endpoint failed: ${detail}`, { retryable: true, ...(status === undefined ? {} : { status }), ...ms(retryAfterMs) });
    }
    return new LlmError("LLM_REQUEST_FAILED", `the model endpoint refused the request: ${detail}`, { retryable: false, status });
  }
  const name = error instanceof Error ? error.name : "";
  const message = clean(error instanceof Error ? error.message : String(error));
  if (name === "TimeoutError" || name === "AbortError") {
    return new LlmError("LLM_TIMEOUT", `the model endpoint did not answer in time: ${message}`, { retryable: true });
  }
  if (/ECONNREFUSED|ECONNRESET|fetch failed|socket hang up|other side closed/i.test(message)) {
    return new LlmError("LLM_UNAVAILABLE", `the model endpoint cannot be reached: ${message}`, { retryable: true });
  }
  return new LlmError("LLM_BAD_RESPONSE", `the model endpoint gave an unusable answer: ${message}`, { retryable: false });
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, in milliseconds. */
export function retryAfter(headers: Readonly<Record<string, string>> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const msValue = Number.parseFloat(lower["retry-after-ms"] ?? "");
  if (Number.isFinite(msValue) && msValue >= 0) return msValue;
  const value = lower["retry-after"];
  if (value === undefined) return undefined;
  const seconds = Number(value.trim());
  if (value.trim() !== "" && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Replaces the API key (and any bearer token) in a message with `***`. */
export function redact(message: string, secret: string): string {
  const withoutSecret = secret.length >= 4 ? message.split(secret).join("***") : message;
  return withoutSecret.replace(/(Bearer\s+)[^\s"',]+/gi, "$1***");
}

/**
 * The SDK's HTTP error, recognised by its documented name so that this module does not load
 * the SDK (see createLlmEndpoint).
 */
function isApiCallError(error: unknown): error is APICallError {
  return error instanceof Error && error.name === "AI_APICallError";
}

const ms = (value: number | undefined) => (value === undefined ? {} : { retryAfterMs: value });
