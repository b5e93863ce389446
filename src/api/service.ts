import { AuthError, AuthUnavailableError, SCOPES } from "../auth/index.js";
import type { Principal, Scope } from "../auth/index.js";
import type { RunEvent } from "../store/index.js";
import type { AuthFailures } from "./auth-failures.js";
import { handlers } from "./handlers.js";
import type { HandlerContext } from "./handlers.js";
import { parsePart } from "./limits.js";
import { OPERATIONS } from "./operations.js";
import type { Operation, OperationId } from "./operations.js";
import { ApiError } from "./problem.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { LiveRunEvent, RunEventHub } from "./run-event-hub.js";
import { tenantRun } from "./task-handlers.js";

/** The protocol a caller came through; only logs and metrics tell them apart. */
export type DoorName = "rest" | "mcp" | "a2a" | "grpc";

export interface Caller {
  readonly door: DoorName;
  /** The Authorization value as the client sent it ("Bearer <jwt>"), if any. */
  readonly authorization?: string | undefined;
  /** The client's address: failed authentications are limited per address. */
  readonly address: string;
  /** A W3C traceparent the caller sent, if any. */
  readonly traceparent?: string | undefined;
  /** Language of problem texts, e.g. from Accept-Language; default English. */
  readonly acceptLanguage?: string | undefined;
}

export interface OperationInput {
  /** Path parameters: `{ id }` of a run or approval, `{ id, name }` of an artifact. */
  readonly params?: unknown;
  /** As in a URL: values may be strings. */
  readonly query?: unknown;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
}

export interface ServiceAnswer {
  /** The HTTP status the REST door sends: 202 for submit and cancel, 200 otherwise. */
  readonly status: number;
  /** A JSON value shaped as the REST API's (schemas.ts), or a Buffer for an artifact. */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** The media type when the body is not JSON. */
  readonly type?: string;
  /** `body` as JSON text, when it was serialized once for every answer that sends it (a fixed catalogue). */
  readonly json?: string;
}

/** Every operation a door may call: what needs a token, without the HTTP-only ones. */
export const SERVICE_OPERATIONS = ["submitTask", "listTasks", "getTask", "cancelTask", "getArtifact", "getTaskSteps", "listApprovals", "decideApproval", "answerTask", "forkTask", "listTools", "listAgents", "listMcpServers", "listAudit", "verifyAudit", "createSchedule", "listSchedules", "getSchedule", "deleteSchedule", "pauseSchedule", "resumeSchedule"] as const satisfies readonly OperationId[];
export type ServiceOperationId = (typeof SERVICE_OPERATIONS)[number];

export type RunEventRecord = RunEvent;

export interface EventsOptions {
  /** Resume after this event id (Last-Event-ID). */
  readonly afterId?: number;
  readonly signal: AbortSignal;
  /** Also the live events of this process's workers (`model.delta`), which have no id and are not kept. */
  readonly live?: boolean;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const OPERATION_BY_ID = new Map<string, Operation>((OPERATIONS as readonly Operation[]).map((op) => [op.id, op]));
const SERVICE_IDS = new Set<string>(SERVICE_OPERATIONS);

/** The principal when auth is off: one local tenant with every scope. */
export const LOCAL_PRINCIPAL: Principal = { subject: "local", tenant: "local", scopes: new Set(SCOPES) };

export interface ServiceSetup {
  readonly context: Omit<HandlerContext, "principal" | "input" | "caller" | "idempotencyKey">;
  readonly authFailures: AuthFailures | undefined;
  readonly limiter: RateLimiter | undefined;
  /** Open event streams, ended when the server drains. */
  readonly streams: Set<AbortController>;
  /** Follows each run once for all its streams (one store look per run per change). */
  readonly hub: RunEventHub;
}

/**
 * The operations every door calls. Authentication (the per-address limit on failures, the
 * token, the operation's scope), the per-tenant rate limit, input validation, tenant checks,
 * idempotency and audit all happen here, once, so a protocol adapter only translates and
 * cannot open a hole the others do not have.
 */
export class Service {
  readonly #setup: ServiceSetup;
  /** Principals this service authenticated; `call` trusts no other. */
  readonly #issued = new WeakSet<Principal>();

  constructor(setup: ServiceSetup) {
    this.#setup = setup;
  }

  /**
   * Who the caller is, and that it holds `scope` (null: any valid caller).
   * @throws ApiError: RATE_LIMITED (too many failed authentications from this address),
   *   AUTH_KEYS_UNAVAILABLE, INSUFFICIENT_SCOPE; AuthError (UNAUTHENTICATED).
   */
  async authenticate(caller: Caller, scope: Scope | null): Promise<Principal> {
    const { options } = this.#setup.context;
    if (options.auth.mode === "off") return LOCAL_PRINCIPAL;
    // Per client address, before any token work: failed authentications cost nothing past the limit.
    const failures = this.#setup.authFailures;
    if (failures?.limited(caller.address)) {
      const windowS = Math.ceil((options.rateLimit?.windowMs ?? 60_000) / 1_000);
      throw new ApiError("RATE_LIMITED", `too many failed authentications from this address: at most ${options.rateLimit?.max ?? 0} per window; retry in ${windowS} seconds`, { headers: { "Retry-After": String(windowS) }, i18n: { key: "api.rate-limited-auth", params: { max: options.rateLimit?.max ?? 0, seconds: windowS } } });
    }
    let principal: Principal;
    try {
      principal = await options.auth.verifier.verify(caller.authorization);
    } catch (error) {
      if (error instanceof AuthError) await failures?.failed(caller.address, { reason: error.reason, door: caller.door, ...(scope ? { scope } : {}) });
      if (error instanceof AuthUnavailableError) throw new ApiError("AUTH_KEYS_UNAVAILABLE", error.message, { headers: { "Retry-After": "5" }, cause: error });
      throw error;
    }
    if (scope !== null && !principal.scopes.has(scope)) throw new ApiError("INSUFFICIENT_SCOPE", `this operation needs the scope "${scope}"`, { i18n: { key: "api.scope-required", params: { scope } } });
    this.#issued.add(principal);
    return principal;
  }

  /**
   * Runs one operation for the caller: authenticates (unless `authenticated` is a principal this
   * service returned from `authenticate`), rate-limits per tenant, validates the input with the
   * operation's schemas, and answers as the REST API does.
   * @throws ApiError with a code from the problem table; any other error means INTERNAL.
   */
  async call(operation: ServiceOperationId, caller: Caller, input: OperationInput = {}, authenticated?: Principal): Promise<ServiceAnswer> {
    const op = SERVICE_IDS.has(operation) ? OPERATION_BY_ID.get(operation) : undefined;
    if (!op || op.scope === null) throw new ApiError("NOT_FOUND", `no operation ${String(operation).slice(0, 64)}`);
    const principal = await this.#principal(caller, op.scope, authenticated);
    const limits = await this.#limit(principal);
    const parsed = {
      params: parsePart(op.params, input.params ?? {}, "path"),
      query: op.query ? parsePart(op.query, input.query ?? {}, "query") : checkNoQuery(input.query),
      body: op.body ? parsePart(op.body, input.body, "body") : checkNoBody(input.body),
    };
    const idempotencyKey = input.idempotencyKey;
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ApiError("INVALID_INPUT", "Idempotency-Key must be 1-200 visible ASCII characters, sent once", { i18n: { key: "api.idempotency-key-invalid" } });
    }
    const handler = handlers[operation];
    // The shared context spread last: a literal that starts with a spread is slow to build in V8.
    const answer = await handler({ principal, caller, input: parsed, ...(idempotencyKey === undefined ? {} : { idempotencyKey }), ...this.#setup.context });
    if (!answer) throw new ApiError("NOT_FOUND", `no operation ${op.id}`);
    return limits ? { ...answer, headers: { ...limits, ...answer.headers } } : answer;
  }

  /**
   * The run's events after `afterId`, in order, until the run has ended (its final `run.*`
   * event was yielded), the signal aborts or the server drains. Authentication, the rate limit
   * and the tenant check happen before this resolves, so a refused caller never gets a stream.
   */
  events(caller: Caller, runId: string, options: EventsOptions & { readonly live: true }, authenticated?: Principal): Promise<AsyncIterable<RunEventRecord | LiveRunEvent>>;
  events(caller: Caller, runId: string, options: EventsOptions, authenticated?: Principal): Promise<AsyncIterable<RunEventRecord>>;
  async events(caller: Caller, runId: string, options: EventsOptions, authenticated?: Principal): Promise<AsyncIterable<RunEventRecord | LiveRunEvent>> {
    const principal = await this.#principal(caller, "tasks:read", authenticated);
    await this.#limit(principal);
    const { context, streams } = this.#setup;
    const run = await tenantRun({ ...context, principal }, runId);
    const afterId = options.afterId ?? 0;
    if (!Number.isSafeInteger(afterId) || afterId < 0) throw new ApiError("INVALID_INPUT", "the event id to resume after must be a whole number ≥ 0");
    const { hub } = this.#setup;
    return {
      async *[Symbol.asyncIterator]() {
        const controller = new AbortController();
        const stop = () => controller.abort();
        if (options.signal.aborted) return;
        options.signal.addEventListener("abort", stop, { once: true });
        streams.add(controller);
        try {
          const subscription = hub.subscribe(run.id, { afterId, signal: controller.signal, live: options.live === true });
          try {
            for await (const event of subscription) {
              yield event;
              if (controller.signal.aborted) return;
            }
          } catch {
            // The hub logged the store failure once for the run; every stream of it just ends.
            return;
          }
          // Cut for falling too far behind: the stream ends and the client resumes from its last id.
          if (subscription.cut) context.deps.log.warn({ runId: run.id, door: caller.door }, "event stream cut: the client fell too far behind");
        } finally {
          options.signal.removeEventListener("abort", stop);
          streams.delete(controller);
        }
      },
    };
  }

  async #principal(caller: Caller, scope: Scope, authenticated: Principal | undefined): Promise<Principal> {
    if (authenticated === undefined) return this.authenticate(caller, scope);
    if (authenticated !== LOCAL_PRINCIPAL && !this.#issued.has(authenticated)) throw new ApiError("INTERNAL", "a door passed a principal this service did not authenticate");
    if (!authenticated.scopes.has(scope)) throw new ApiError("INSUFFICIENT_SCOPE", `this operation needs the scope "${scope}"`, { i18n: { key: "api.scope-required", params: { scope } } });
    return authenticated;
  }

  /** The tenant's allowance: the rate headers to send, or RATE_LIMITED. */
  async #limit(principal: Principal): Promise<Record<string, string> | undefined> {
    const limiter = this.#setup.limiter;
    if (!limiter) return undefined;
    const decision = await limiter.take(`tenant:${principal.tenant}`);
    const seconds = Math.max(1, Math.ceil(decision.resetMs / 1_000));
    const headers = { "X-RateLimit-Limit": String(decision.limit), "X-RateLimit-Remaining": String(decision.remaining), "X-RateLimit-Reset": String(seconds) };
    if (!decision.allowed) {
      throw new ApiError("RATE_LIMITED", `too many requests for this tenant: at most ${decision.limit} per window; retry in ${seconds} seconds`, { headers: { ...headers, "Retry-After": String(seconds) }, i18n: { key: "api.rate-limited-tenant", params: { max: decision.limit, seconds } } });
    }
    return headers;
  }
}

function checkNoQuery(query: unknown): undefined {
  const keys = query && typeof query === "object" ? Object.keys(query) : [];
  if (keys.length > 0) throw new ApiError("UNKNOWN_FIELDS", `unknown query field${keys.length > 1 ? "s" : ""}: ${keys.slice(0, 10).join(", ")}`, { i18n: { key: "api.unknown-fields.query", params: { fields: keys.slice(0, 10).join(", ") } } });
  return undefined;
}

function checkNoBody(body: unknown): undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "object" && !Array.isArray(body)) {
    const keys = Object.keys(body);
    if (keys.length === 0) return undefined;
    throw new ApiError("UNKNOWN_FIELDS", `unknown body field${keys.length > 1 ? "s" : ""}: ${keys.slice(0, 10).join(", ")}`, { i18n: { key: "api.unknown-fields.body", params: { fields: keys.slice(0, 10).join(", ") } } });
  }
  throw new ApiError("INVALID_INPUT", "this operation takes no body", { i18n: { key: "api.no-body" } });
}
