import { CsAgentsError } from "../core/errors.js";

/** What the server answered with a problem+json body (RFC 9457), or the status alone when it did not. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly instance?: string | undefined;
}

/**
 * The API answered with an error. `code` is the server's stable problem code (e.g. NOT_FOUND,
 * RATE_LIMITED, INVALID_INPUT), or `HTTP_<status>` when the answer carried no problem body.
 */
export class ApiProblemError extends CsAgentsError {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  readonly instance: string | undefined;
  /** From Retry-After, when the server sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(problem: ProblemDetails, options: { retryAfterMs?: number | undefined } = {}) {
    super(problem.code, problem.detail === "" ? problem.title : problem.detail, { retryable: problem.status === 429 || problem.status === 503 });
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.type = problem.type;
    this.instance = problem.instance;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The server could not be reached, or the connection broke before a whole answer arrived. */
export class ApiConnectionError extends CsAgentsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("API_UNREACHABLE", message, { ...options, retryable: true });
  }
}

/** Builds the typed error of an answer that was not 2xx; never throws. */
export function problemFromAnswer(status: number, statusText: string, body: string, retryAfterMs: number | undefined): ApiProblemError {
  let parsed: Partial<Record<keyof ProblemDetails, unknown>> = {};
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === "object" && value !== null) parsed = value as typeof parsed;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the status alone speaks.
  }
  const text = (value: unknown, fallback: string) => (typeof value === "string" ? value : fallback);
  return new ApiProblemError(
    {
      type: text(parsed.type, "about:blank"),
      title: text(parsed.title, statusText),
      status,
      code: text(parsed.code, `HTTP_${status}`),
      detail: text(parsed.detail, body.trim().slice(0, 200)),
      instance: typeof parsed.instance === "string" ? parsed.instance : undefined,
    },
    { retryAfterMs },
  );
}
