import { CsAgentsError, type MessageRef } from "../core/index.js";
import { DEFAULT_LOCALE, type Locale, type Translator } from "../i18n/index.js";

/**
 * The one table from error code to HTTP status. Every error the API answers with is an
 * `application/problem+json` body carrying one of these codes.
 */
export const STATUS_BY_CODE = {
  INVALID_INPUT: 400,
  INVALID_JSON: 400,
  UNKNOWN_FIELDS: 400,
  JSON_TOO_DEEP: 400,
  UNAUTHENTICATED: 401,
  INSUFFICIENT_SCOPE: 403,
  SEPARATE_APPROVER_REQUIRED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  IDEMPOTENCY_IN_PROGRESS: 409,
  NOT_AMBIGUOUS: 409,
  APPROVAL_MISMATCH: 409,
  INPUT_NOT_WAITING: 409,
  RUN_FINISHED: 409,
  APPROVAL_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  TOO_MANY_ACTIVE_RUNS: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  NOT_READY: 503,
  OVERLOADED: 503,
  AUTH_KEYS_UNAVAILABLE: 503,
  STORE_UNREACHABLE: 503,
  JOURNAL_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ProblemCode = keyof typeof STATUS_BY_CODE;

/** An error the API answers with as it is: its code picks the status from the table. */
export class ApiError extends CsAgentsError {
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: ProblemCode, message: string, options: { headers?: Record<string, string>; cause?: unknown; i18n?: MessageRef } = {}) {
    super(code, message, { ...(options.cause === undefined ? {} : { cause: options.cause }), ...(options.i18n === undefined ? {} : { i18n: options.i18n }) });
    this.headers = options.headers ?? {};
  }

  /** The HTTP status of this code; other doors map it to their own status codes. */
  get status(): number {
    return STATUS_BY_CODE[this.code as ProblemCode];
  }
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly instance?: string;
}

const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * What a 503 says, fixed per code: the underlying messages name hosts, paths and driver errors,
 * which stay in the server log; the answer still names which dependency failed.
 */
const UNAVAILABLE_DETAIL: Readonly<Record<string, string>> = {
  STORE_UNREACHABLE: "the store is unavailable; try again",
  JOURNAL_UNAVAILABLE: "the store is unavailable; try again",
  OVERLOADED: "the server is overloaded; retry after the time Retry-After gives",
  AUTH_KEYS_UNAVAILABLE: "tokens cannot be verified right now: the identity provider's key server (JWKS) is not answering; retry shortly",
};

export function statusFor(code: string): number | undefined {
  return (STATUS_BY_CODE as Readonly<Record<string, number>>)[code];
}

/** A problem body. Only codes from the table reach clients; anything else is INTERNAL with a fixed message. */
export function problemOf(error: unknown, instance?: string): Problem {
  let code = "INTERNAL";
  let detail = "the server failed to answer this request; it was logged";
  if (error instanceof CsAgentsError && statusFor(error.code) !== undefined && error.code !== "INTERNAL") {
    code = error.code;
    detail = UNAVAILABLE_DETAIL[code] ?? error.message;
  }
  const status = statusFor(code) ?? 500;
  const shown = instance === undefined ? undefined : shownPath(instance);
  return { type: `urn:cs-agents:problem:${code.toLowerCase().replaceAll("_", "-")}`, title: TITLES[status] ?? "Error", status, code, detail, ...(shown ? { instance: shown } : {}) };
}

/** Longest request path echoed back as a problem's `instance`. */
const MAX_SHOWN_PATH = 256;

/**
 * The request path as it may be echoed back: bounded, printable ASCII (it is still
 * percent-encoded) that decodes to UTF-8, or nothing — a hostile URL is not reflected into
 * answers or the logs that store them.
 */
export function shownPath(path: string): string | undefined {
  if (path.length > MAX_SHOWN_PATH || !/^[\x21-\x7e]*$/.test(path)) return undefined;
  try {
    decodeURIComponent(path);
    return path;
  } catch {
    return undefined;
  }
}

/**
 * The problem in the client's language: `title` by code and `detail` from the error's message
 * ref. What a catalogue lacks stays English; `code`, `status` and `type` never change.
 */
export function localizeProblem(problem: Problem, error: unknown, locale: Locale, translator: Translator): Problem {
  if (locale === DEFAULT_LOCALE) return problem;
  const title = translator.text(locale, `problem.title.${problem.code}`) ?? problem.title;
  // Mirrors problemOf: a fixed detail for INTERNAL and for 503s, the error's own otherwise.
  const detail =
    problem.code === "INTERNAL"
      ? translator.text(locale, "problem.detail.internal")
      : problem.status === 503
        ? translator.text(locale, problem.code === "OVERLOADED" ? "problem.detail.overloaded" : "problem.detail.unavailable")
        : translator.errorMessage(locale, error);
  return { ...problem, title, detail: detail ?? problem.detail };
}
