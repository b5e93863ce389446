import type { CallbackUrlPolicy } from "../delivery/index.js";
import type { AddressInfo } from "node:net";
import cors from "@fastify/cors";
import Fastify from "fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { CsAgentsError, newRunId } from "../core/index.js";
import type { Principal, TokenVerifier } from "../auth/index.js";
import type { ServiceStore } from "../store/index.js";
import { handlers } from "./handlers.js";
import type { Catalog, Handler, HandlerContext } from "./handlers.js";
import { installJsonParser } from "./json-body.js";
import { checkNoBody, checkNoQuery, parsePart } from "./limits.js";
import { MetricsRegistry } from "../observability/index.js";
import { OPERATIONS } from "./operations.js";
import type { Operation } from "./operations.js";
import { answerClientError, mapFrameworkError, MAX_PARAM_LENGTH } from "./framework-errors.js";
import { ApiError, localizeProblem, problemOf, shownPath } from "./problem.js";
import { createTranslator, localeFromAcceptLanguage } from "../i18n/index.js";
import { serverTlsOptions } from "./tls.js";
import { AuthFailures } from "./auth-failures.js";
import { SILENT_LOG, StoreHealth, watchedStore } from "./store-health.js";
import type { ApiLog } from "./store-health.js";
import { CONSOLE_DIR, serveConsole } from "./ui-static.js";
import type { ConsoleSettings } from "./ui-static.js";
import { NO_BUDGET } from "./step-view.js";
import type { ModelPrices, RunBudgetView } from "./step-view.js";
import type { Checkpoint } from "../audit/index.js";
import { securityHeaders } from "./security-headers.js";
import { RateLimiter } from "./rate-limiter.js";
import { LOCAL_PRINCIPAL, Service } from "./service.js";
import type { Caller, ServiceAnswer, ServiceOperationId } from "./service.js";
import { RunIdParams } from "./schemas.js";
import { RunEventHub, type LiveRunEvent } from "./run-event-hub.js";
import { redisLiveRelay, type LiveRelay } from "./live-relay.js";
import { watchEventHub } from "./event-hub-metrics.js";
import { writeServerSentEvents } from "./sse-writer.js";
import { LoadShedder } from "./load-shedder.js";
import { OpenConnections } from "./open-connections.js";
import { earlyShed, gatedNodeServer } from "./early-shed.js";
import type { RequestGate } from "./early-shed.js";

export type AuthMode = { readonly mode: "jwt"; readonly verifier: TokenVerifier } | { readonly mode: "off" };

export interface ApiOptions {
  readonly auth: AuthMode;
  /** Default 262,144 (256 KiB); larger bodies answer 413. */
  readonly bodyLimitBytes?: number;
  /** Default 32; deeper JSON answers 400. */
  readonly maxJsonDepth?: number;
  /** Default 16,384; larger request headers answer 431. */
  readonly maxHeaderBytes?: number;
  /** The whole request must arrive within this. Default 30,000. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open; above the load balancer's idle timeout. Default 5,000. */
  readonly keepAliveTimeoutMs?: number;
  /** The headers must arrive within this. Default 10,000. */
  readonly headersTimeoutMs?: number;
  /** Requests per tenant (or per client address without a token) and window. */
  readonly rateLimit?: { readonly max: number; readonly windowMs: number; readonly redis?: Redis };
  /** Unfinished runs a tenant may have; more submissions answer 429. 0: no cap. Default 100. */
  readonly maxActiveRunsPerTenant?: number;
  readonly approvals?: { readonly ttlMs: number; readonly requireSeparateApprover: boolean };
  /** Origins allowed by CORS; empty (the default) sends no CORS headers. */
  readonly corsOrigins?: readonly string[];
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /**
   * Requests served at once past which new ones answer 503 OVERLOADED with Retry-After (health,
   * readiness and metrics are never refused; an event stream counts only while it is admitted).
   * 0: no bound. Default 256. Setting: CS_AGENTS_API_MAX_IN_FLIGHT.
   */
  readonly maxInFlight?: number;
  /** Event-loop delay (P99 over half a second, ms) past which new requests answer 503 OVERLOADED. 0 (the default): not watched. */
  readonly maxEventLoopDelayMs?: number;
  /**
   * How often a followed run is looked at when nothing in this process woke it (writes by other
   * replicas' workers are seen this way). One look serves every stream of the run. Default 250.
   */
  readonly eventsPollMs?: number;
  readonly logger?: boolean;
  readonly version?: string;
  /** The run budgets the workers enforce and the model prices, shown with each run's use. Default: none. */
  readonly runBudget?: RunBudgetView & { readonly prices?: ModelPrices };
  /** How the web console signs in (an OIDC issuer, or a pasted token); default: a pasted token. */
  readonly console?: ConsoleSettings;
  /** Which task callback URLs are accepted (CS_AGENTS_WEBHOOK_ALLOW_HTTP/PRIVATE); default: https to public addresses only. */
  readonly webhooks?: CallbackUrlPolicy;
}

export interface ApiDeps {
  readonly store: ServiceStore;
  readonly catalog: Catalog;
  readonly newRunId?: () => string;
  readonly now?: () => Date;
  /** Where HTTP metrics go and what /metrics serves; default: a registry of the server's own. */
  readonly metrics?: MetricsRegistry;
  /** Told of each run the API cancelled, so in-process workers stop it at once. */
  readonly onCancelled?: (runId: string) => void;
  /** Told of each run the API created, so an in-process worker claims it now rather than at its next poll. */
  readonly onSubmitted?: (runId: string) => void;
  /** Told of each run whose approval the API decided (it is queued again), so an in-process worker claims it now. */
  readonly onDecided?: (runId: string) => void;
  /**
   * Redis connections for live events across replicas (`publish` goes out through Redis and
   * comes back on the subscriber to every replica following the run). Without them live events
   * reach only this process's streams. The caller owns and disconnects them.
   */
  readonly live?: { readonly publisher: Redis; readonly subscriber: Redis };
  /** Operational lines (a store outage and its end); default: none. */
  readonly log?: ApiLog;
  /** Signed audit checkpoints, already verified (`readCheckpoints`); default: none. */
  readonly auditCheckpoints?: () => readonly Checkpoint[] | Promise<readonly Checkpoint[]>;
  /** Other protocols served on this server's port (MCP, A2A); they call the same service. */
  readonly doors?: readonly HttpDoor[];
}

/** A protocol served on the API's own HTTP server, through the service every door shares. */
export interface HttpDoor {
  readonly name: string;
  register(app: FastifyInstance, service: Service): Promise<void>;
}

export type ResolvedApiOptions = Required<Omit<ApiOptions, "tls" | "rateLimit" | "console">> & Pick<ApiOptions, "tls" | "rateLimit" | "console">;

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
/** A connection silent this long is closed. */
const CONNECTION_TIMEOUT_MS = 120_000;

/**
 * The HTTP API in front of the store: routes from the operation table, bearer-token auth,
 * problem+json errors, limits, metrics, and a drain for graceful shutdown.
 */
export class ApiServer {
  readonly app: FastifyInstance;
  readonly options: ResolvedApiOptions;
  readonly #streams = new Set<AbortController>();
  #hub: RunEventHub | undefined;
  /** With Redis: live events of this process go out to every other replica following the run. */
  #relay: LiveRelay | undefined;
  readonly #connections: OpenConnections;
  #draining = false;
  #log: ApiLog = SILENT_LOG;
  #authFailures: AuthFailures | undefined;
  #service: Service | undefined;
  #context: Omit<HandlerContext, "principal" | "input" | "caller" | "idempotencyKey"> | undefined;
  readonly #translator = createTranslator();

  private constructor(app: FastifyInstance, options: ResolvedApiOptions) {
    this.app = app;
    this.options = options;
    this.#connections = new OpenConnections(app.server);
  }

  /**
   * Builds the server (not listening yet).
   * @throws CsAgentsError (AUTH_CONFIG) for contradictory settings.
   */
  static async create(options: ApiOptions, deps: ApiDeps): Promise<ApiServer> {
    const resolved = resolveOptions(options);
    // Fastify answers some errors before any hook runs; they go through the same problem table.
    let answerError: (error: unknown, request: FastifyRequest, reply: FastifyReply) => void = () => undefined;
    // Set once the server is set up: until then nothing is shed before routing.
    let gate: RequestGate = () => false;
    const app = Fastify({
      serverFactory: (handler) =>
        gatedNodeServer(
          {
            ...(resolved.tls ? { https: serverTlsOptions(resolved.tls) } : {}),
            maxHeaderSize: resolved.maxHeaderBytes,
            headersTimeout: resolved.headersTimeoutMs,
            keepAliveTimeout: resolved.keepAliveTimeoutMs,
            requestTimeout: resolved.requestTimeoutMs,
            connectionTimeout: CONNECTION_TIMEOUT_MS,
          },
          () => gate,
          handler,
        ),
      frameworkErrors: (error, request, reply) => {
        answerError(error, request, reply);
      },
      clientErrorHandler: answerClientError,
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
      logger: resolved.logger,
      bodyLimit: resolved.bodyLimitBytes,
      onProtoPoisoning: "error",
      onConstructorPoisoning: "error",
      requestTimeout: resolved.requestTimeoutMs,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      keepAliveTimeout: resolved.keepAliveTimeoutMs,
      // Requests that reach a connection while draining are still served (they were accepted);
      // responses then carry `Connection: close` so clients reconnect elsewhere.
      return503OnClosing: false,
      forceCloseConnections: "idle",
    }) as unknown as FastifyInstance;
    const server = new ApiServer(app, resolved);
    answerError = (error, request, reply) => {
      void server.#answerError(error, request, reply);
    };
    const log = deps.log ?? SILENT_LOG;
    const store = watchedStore(deps.store, new StoreHealth(log));
    server.#log = log;
    await server.#setUp({ ...deps, store, log, newRunId: deps.newRunId ?? (() => newRunId()), now: deps.now ?? (() => new Date()), metrics: deps.metrics ?? new MetricsRegistry(), onCancelled: deps.onCancelled ?? (() => undefined), onSubmitted: deps.onSubmitted ?? (() => undefined), onDecided: deps.onDecided ?? (() => undefined), auditCheckpoints: deps.auditCheckpoints ?? (() => []), doors: deps.doors ?? [] }, (next) => (gate = next));
    return server;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** The operations behind every door, for doors that run their own server (gRPC). */
  get service(): Service {
    if (!this.#service) throw new Error("the API server is not set up");
    return this.#service;
  }

  /**
   * Starts listening.
   * @throws CsAgentsError (AUTH_CONFIG) when auth is off and `host` is not a loopback address.
   */
  async listen(port: number, host: string): Promise<AddressInfo> {
    if (this.options.auth.mode === "off" && !LOOPBACK.has(host)) {
      throw new CsAgentsError("AUTH_CONFIG", `auth is off (CS_AGENTS_AUTH=off), so the server listens on loopback only; refusing --host ${host}`);
    }
    await this.app.listen({ port, host });
    return this.app.server.address() as AddressInfo;
  }

  /**
   * Graceful stop: /readyz fails at once, event streams end (clients resume elsewhere with
   * Last-Event-ID), kept-alive connections get up to `settleMs` to carry one more request
   * (answered with `Connection: close`), then no new connections and requests in flight finish.
   */
  async close(options: { readonly settleMs?: number } = {}): Promise<void> {
    this.#draining = true;
    for (const stream of this.#streams) stream.abort();
    this.#hub?.close();
    await this.#connections.settle(options.settleMs ?? 0);
    await this.app.close();
    await this.#authFailures?.flush();
  }

  /**
   * A run's journal or status was just written in this process (an in-process worker, a
   * cancel): its event streams look now rather than at their next poll. Bound, so it can be
   * handed over as a callback.
   */
  readonly wake = (runId: string): void => {
    this.#hub?.wake(runId);
  };

  /**
   * Something a run of this process shows while it happens (the model's text as it streams):
   * handed to the run's event streams here, never stored. Bound, like `wake`.
   */
  readonly publish = (runId: string, event: LiveRunEvent): void => {
    this.#hub?.publish(runId, event);
    this.#relay?.publish(runId, event);
  };

  /** Marks the server as draining without closing it yet (readiness probes see it first). */
  drain(): void {
    this.#draining = true;
  }

  /** `setGate`: what answers a request before Fastify routes it (the early shed). */
  async #setUp(deps: Required<Omit<ApiDeps, "live">> & Pick<ApiDeps, "live">, setGate: (gate: RequestGate) => void): Promise<void> {
    const { app, options } = this;
    const { metrics } = deps;
    app.decorateRequest("principal", null);
    this.#authFailures = new AuthFailures({
      windowMs: options.rateLimit?.windowMs ?? 60_000,
      maxPerWindow: options.rateLimit?.max ?? Number.POSITIVE_INFINITY,
      append: async (draft) => {
        await deps.store.appendAudit(draft).catch((e: unknown) => this.#log.error({ reason: e instanceof Error ? e.message : String(e) }, "auth.failed audit entry not written"));
      },
    });
    installJsonParser(app, options.maxJsonDepth);
    app.setErrorHandler((error, request, reply) => this.#answerError(error, request, reply));
    app.setNotFoundHandler((request, reply) => {
      const path = shownPath(request.url.split("?")[0] ?? "") ?? "for this path";
      return this.#answerError(new ApiError("NOT_FOUND", `no route ${request.method} ${path}`, { i18n: { key: "api.no-route", params: { method: request.method, path } } }), request, reply);
    });
    installMetrics(app, metrics);
    // Callback hooks, not async ones: no promise per request for a line of work.
    app.addHook("onSend", (_request, reply, payload, done) => {
      if (this.#draining) reply.header("Connection", "close");
      done(null, payload);
    });
    const secure = securityHeaders();
    app.addHook("onRequest", (_request, reply, done) => {
      reply.headers(secure);
      done();
    });
    if (options.corsOrigins.length > 0) await app.register(cors, { origin: [...options.corsOrigins], methods: ["GET", "POST", "DELETE"], allowedHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"] });
    const shedder = new LoadShedder({ maxInFlight: options.maxInFlight, maxEventLoopDelayMs: options.maxEventLoopDelayMs });
    app.addHook("onClose", async () => shedder.close());
    setGate(earlyShed({ shedder, securityHeaders: secure, vary: options.corsOrigins.length > 0 ? "Origin, Accept-Language" : "Accept-Language", translator: this.#translator, metrics, draining: () => this.#draining }));
    const limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
    const relay = deps.live ? redisLiveRelay(deps.live.publisher, deps.live.subscriber, (runId, event) => hub.publish(runId, event)) : undefined;
    const hub: RunEventHub = new RunEventHub({
      store: deps.store,
      pollMs: options.eventsPollMs,
      onError: (error, runId) => deps.log.error({ runId, reason: error instanceof Error ? error.message : String(error) }, "event stream failed"),
      ...(relay ? { onFollow: relay } : {}),
    });
    this.#hub = hub;
    this.#relay = relay;
    watchEventHub(metrics, hub);
    app.addHook("onClose", async () => hub.close());
    // A cancel commits the run's final status, a decision a step and the run queued again: its
    // streams tell it now, not at the next poll.
    const waking =
      (tell: (runId: string) => void) =>
      (runId: string): void => {
        tell(runId);
        hub.wake(runId);
      };
    this.#context = { deps: { ...deps, onCancelled: waking(deps.onCancelled), onDecided: waking(deps.onDecided) }, options, metrics, draining: () => this.#draining, submissionsInFlight: new Set<string>() };
    const service = new Service({
      hub,
      context: this.#context,
      authFailures: this.#authFailures,
      limiter,
      streams: this.#streams,
    });
    this.#service = service;
    for (const op of OPERATIONS as readonly Operation[]) {
      app.route({
        method: op.method,
        url: op.path,
        // Shed first: a refused request costs no token check and no store work.
        onRequest: async (request, reply) => {
          if (op.scope === null) return;
          admit(shedder, op, reply);
          request.principal = await service.authenticate(callerOf(request), op.scope);
        },
        handler: async (request, reply) => {
          const answer = await this.#answer(op, request, reply);
          if (answer === undefined) return reply;
          for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
          if (answer.json !== undefined) return reply.code(answer.status).type("application/json; charset=utf-8").send(answer.json);
          if (answer.type) reply.type(answer.type);
          return reply.code(answer.status).send(answer.body);
        },
      });
    }
    for (const door of deps.doors) await door.register(app, service);
    await serveConsole(app, CONSOLE_DIR, options.console);
    await app.ready();
  }

  #handlerContext(): Omit<HandlerContext, "principal" | "input" | "caller" | "idempotencyKey"> {
    if (!this.#context) throw new Error("the API server is not set up");
    return this.#context;
  }

  /** A REST request as a service call; the event stream is written here as Server-Sent Events. */
  async #answer(op: Operation, request: FastifyRequest, reply: FastifyReply): Promise<ServiceAnswer | undefined> {
    const service = this.service;
    const caller = callerOf(request);
    const principal = request.principal ?? LOCAL_PRINCIPAL;
    if (op.id === "taskEvents") {
      checkNoQuery(request.query);
      const { id } = parsePart(RunIdParams, request.params ?? {}, "path");
      const header = request.headers["last-event-id"];
      const afterId = typeof header === "string" && /^\d{1,10}$/.test(header.trim()) ? Number(header.trim()) : 0;
      const controller = new AbortController();
      const events = await service.events(caller, id, { afterId, signal: controller.signal, live: true }, principal);
      await writeServerSentEvents(request, reply, events, controller, this.options.eventsPollMs);
      return undefined;
    }
    if (op.scope === null) {
      checkNoQuery(request.query);
      checkNoBody(request.body);
      return (handlers[op.id as keyof typeof handlers] as Handler)({ principal, caller, input: { params: {}, query: undefined, body: undefined }, ...this.#handlerContext() });
    }
    const key = request.headers["idempotency-key"];
    if (key !== undefined && typeof key !== "string") throw new ApiError("INVALID_INPUT", "Idempotency-Key must be 1-200 visible ASCII characters, sent once", { i18n: { key: "api.idempotency-key-invalid" } });
    return service.call(op.id as ServiceOperationId, caller, { params: request.params ?? {}, query: request.query ?? {}, body: request.body, ...(key === undefined ? {} : { idempotencyKey: key }) }, principal);
  }

  #answerError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const mapped = mapFrameworkError(error);
    const problem = problemOf(mapped, request.url.split("?")[0]);
    if (problem.status >= 500) request.log.error({ err: error }, "request failed");
    // An outage is logged once by StoreHealth; every other 500 is logged here, as the answer promises.
    if (problem.code === "INTERNAL") this.#log.error({ method: request.method, route: request.routeOptions.url ?? "unmatched", reason: error instanceof Error ? error.message : String(error) }, "request failed");
    if (mapped instanceof ApiError) for (const [name, value] of Object.entries(mapped.headers)) reply.header(name, value);
    if (problem.status === 401) {
      reply.header("WWW-Authenticate", `Bearer error="invalid_token", error_description="${problem.detail.replace(/["\\]/g, "'")}"`);
    }
    if (problem.code === "INSUFFICIENT_SCOPE") reply.header("WWW-Authenticate", 'Bearer error="insufficient_scope"');
    // The body in the client's language; headers and logs above stay English (header values are Latin-1).
    const locale = localeFromAcceptLanguage(request.headers["accept-language"]);
    const vary = reply.getHeader("vary");
    reply.header("Vary", vary === undefined ? "Accept-Language" : `${String(vary)}, Accept-Language`).header("Content-Language", locale);
    return reply.code(problem.status).type("application/problem+json").send(localizeProblem(problem, mapped, locale, this.#translator));
  }
}

/** Takes a turn of the shedder until the answer is sent or the client leaves; a stream only its admission. */
function admit(shedder: LoadShedder, op: Operation, reply: FastifyReply): void {
  const release = shedder.admit();
  if (op.id === "taskEvents") release();
  else reply.raw.once("close", release);
}

function resolveOptions(options: ApiOptions): ResolvedApiOptions {
  return {
    auth: options.auth,
    bodyLimitBytes: options.bodyLimitBytes ?? 262_144,
    maxJsonDepth: options.maxJsonDepth ?? 32,
    maxHeaderBytes: options.maxHeaderBytes ?? 16_384,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 5_000,
    maxActiveRunsPerTenant: options.maxActiveRunsPerTenant ?? 100,
    approvals: options.approvals ?? { ttlMs: 86_400_000, requireSeparateApprover: true },
    corsOrigins: options.corsOrigins ?? [],
    eventsPollMs: options.eventsPollMs ?? 250,
    maxInFlight: options.maxInFlight ?? 256,
    maxEventLoopDelayMs: options.maxEventLoopDelayMs ?? 0,
    logger: options.logger ?? false,
    version: options.version ?? "0.0.0",
    runBudget: options.runBudget ?? NO_BUDGET,
    webhooks: options.webhooks ?? { allowHttp: false, allowPrivate: false },
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.console ? { console: options.console } : {}),
  };
}

function installMetrics(app: FastifyInstance, metrics: MetricsRegistry): void {
  app.addHook("onRequest", (_request, _reply, done) => {
    metrics.add("cs_agents_http_requests_in_flight", 1);
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    metrics.add("cs_agents_http_requests_in_flight", -1);
    const labels = { method: request.method, route: request.routeOptions.url ?? "unmatched", status: String(reply.statusCode) };
    metrics.inc("cs_agents_http_requests_total", labels);
    metrics.observe("cs_agents_http_request_duration_seconds", reply.elapsedTime / 1_000, labels);
    done();
  });
}

/** How a REST request reaches the service. */
function callerOf(request: FastifyRequest): Caller {
  const { authorization, traceparent } = request.headers;
  const language = request.headers["accept-language"];
  return { door: "rest", authorization, address: request.ip, traceparent: typeof traceparent === "string" ? traceparent : undefined, acceptLanguage: language };
}
