import { createPublicKey } from "node:crypto";
import { checkpointStoreAt, createStoreAuditSink, loadSigningKey } from "../../audit/index.js";
import type { Checkpoint } from "../../audit/index.js";
import { runBudgetFromConfig } from "../../llm/index.js";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { z } from "zod";
import { ApiServer } from "../../api/index.js";
import { a2aDoor } from "../../doors/a2a/index.js";
import { GrpcDoor } from "../../doors/grpc/index.js";
import type { ApiOptions, AuthMode, Catalog } from "../../api/index.js";
import { createTokenVerifier } from "../../auth/index.js";
import type { Config } from "../../config.js";
import { Worker } from "../../engine/index.js";
import { callbackUrlPolicyOf, delivererFromConfig, type WebhookDeliverer } from "../../delivery/index.js";
import type { Runtime } from "../../runtime/index.js";
import { createLogger, createTracing, engineMetricsListener, loggedEngine, tracedEngine, watchProcess } from "../../observability/index.js";
import { liveRedis, withLiveModelText } from "../live-model-text.js";
import { openStoreWithArtifacts } from "../../artifacts/index.js";
import type { ServiceStore } from "../../store/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { startScheduleLoop } from "../schedule-loop.js";
import { waitForStop } from "../stop-signal.js";
import { wholeNumber } from "./worker.js";

export interface ServeOptions {
  port?: string;
  host?: string;
  workers?: string;
  tlsCert?: string;
  tlsKey?: string;
  grpcPort?: string;
  graceMs?: string;
}

const DAY_MS = 86_400_000;

/**
 * `cs-agents serve`: the HTTP API plus `--workers` runs executed in-process, until SIGTERM or
 * SIGINT; then /readyz fails at once, requests in flight finish, workers release their runs.
 */
export async function serveCommand(context: CommandContext, options: ServeOptions): Promise<number> {
  const { config, io } = context;
  const port = wholeNumber(options.port, "--port", 0, 65_535) ?? config.CS_AGENTS_PORT;
  const host = options.host ?? config.CS_AGENTS_HOST;
  const grpcPort = wholeNumber(options.grpcPort, "--grpc-port", 0, 65_535) ?? config.CS_AGENTS_GRPC_PORT;
  const workers = wholeNumber(options.workers, "--workers", 0, 256) ?? config.CS_AGENTS_WORKERS;
  const graceMs = wholeNumber(options.graceMs, "--grace-ms", 0, 3_600_000) ?? config.CS_AGENTS_GRACE_MS;
  // Settings are checked before anything is opened: a missing issuer or key fails here, by name.
  const auth = authMode(config);
  const tls = tlsPair(options.tlsCert ?? config.CS_AGENTS_TLS_CERT, options.tlsKey ?? config.CS_AGENTS_TLS_KEY);
  const logger = createLogger(io.stdout, config.CS_AGENTS_LOG_FORMAT);
  const log = (line: string) => logger.info(line);
  if (auth.mode === "off") io.stderr.write("WARNING: auth is off (CS_AGENTS_AUTH=off): anyone who can reach the port acts as tenant \"local\" with every scope; listening on loopback only\n");

  // Watched from the start: npm may be gone before the server is listening.
  const stopped = waitForStop(io.env);
  const runtime = await context.runtime();
  const { store } = await openStoreWithArtifacts(config, { migrate: config.CS_AGENTS_MIGRATE });
  const tracing = await createTracing({ otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceVersion: packageVersion() });
  const engine = loggedEngine(tracing ? tracedEngine(runtime.engine, tracing.tracer) : runtime.engine, logger);
  const metrics = context.metrics();
  watchProcess(metrics, {
    store,
    cache: { stats: () => runtime.executor.cacheStats(), levels: config.REDIS_URL ? 2 : 1 },
    breakers: { tools: () => runtime.tools.list().map((t) => t.name), state: (tool) => runtime.executor.breakerState(tool) },
    version: packageVersion(),
  });
  const redis = config.REDIS_URL && config.CS_AGENTS_RATE_LIMIT_PER_MINUTE > 0 ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }) : undefined;
  redis?.on("error", () => undefined);
  // Live events (the model's text as it streams) cross replicas and worker processes through Redis.
  const live = config.REDIS_URL ? liveRedis(config.REDIS_URL) : undefined;
  let server: ApiServer | undefined;
  let worker: Worker | undefined;
  let grpc: GrpcDoor | undefined;
  let deliverer: WebhookDeliverer | undefined;
  try {
    // Loaded here, not at the top: every other command would pay for the MCP SDK (~0.3 s).
    const { mcpHttpDoor } = await import("../../doors/mcp/index.js");
    server = await ApiServer.create(
      {
        auth,
        bodyLimitBytes: config.CS_AGENTS_BODY_LIMIT_BYTES,
        maxJsonDepth: config.CS_AGENTS_MAX_JSON_DEPTH,
        requestTimeoutMs: config.CS_AGENTS_REQUEST_TIMEOUT_MS,
        headersTimeoutMs: Math.max(1_000, Math.floor(config.CS_AGENTS_REQUEST_TIMEOUT_MS / 3)),
        keepAliveTimeoutMs: config.CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS,
        ...(config.CS_AGENTS_RATE_LIMIT_PER_MINUTE > 0 ? { rateLimit: { max: config.CS_AGENTS_RATE_LIMIT_PER_MINUTE, windowMs: 60_000, ...(redis ? { redis } : {}) } } : {}),
        maxActiveRunsPerTenant: config.CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT,
        maxInFlight: config.CS_AGENTS_API_MAX_IN_FLIGHT,
        maxEventLoopDelayMs: config.CS_AGENTS_API_MAX_EVENT_LOOP_DELAY_MS,
        approvals: { ttlMs: config.CS_AGENTS_APPROVAL_TTL_S * 1_000, requireSeparateApprover: config.CS_AGENTS_APPROVALS_REQUIRE_SEPARATE_APPROVER },
        corsOrigins: config.CS_AGENTS_CORS_ORIGINS,
        ...(tls ? { tls } : {}),
        logger: false,
        version: packageVersion(),
        runBudget: runBudgetView(config),
        webhooks: callbackUrlPolicyOf(config),
        ...(config.CS_AGENTS_UI_OIDC_ISSUER ? { console: { oidc: { issuer: config.CS_AGENTS_UI_OIDC_ISSUER, clientId: config.CS_AGENTS_UI_OIDC_CLIENT_ID.trim(), scopes: config.CS_AGENTS_UI_OIDC_SCOPES.trim() } } } : {}),
      },
      // A run cancelled here stops at once on this replica's workers; elsewhere within their cancel check.
      { store, catalog: catalogOf(runtime), metrics, log: logger, ...withCheckpoints(config), doors: [mcpHttpDoor({ version: packageVersion() }), a2aDoor({ authOn: auth.mode === "jwt", version: packageVersion(), templates: runtime.templatePlanner.capabilities() })], onCancelled: (runId) => worker?.cancel(runId), onSubmitted: () => worker?.wake(), onDecided: () => worker?.wake(), ...(live ? { live } : {}) },
    );
    const address = await server.listen(port, host);
    log(`listening on ${tls ? "https" : "http"}://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port} (auth ${auth.mode}, ${workers} in-process worker slot(s))`);
    if (grpcPort !== undefined) {
      grpc = new GrpcDoor(server.service, { authOff: auth.mode === "off", tls, maxReceiveBytes: config.CS_AGENTS_BODY_LIMIT_BYTES });
      const bound = await grpc.listen(grpcPort, host);
      log(`gRPC listening on ${host.includes(":") ? `[${host}]` : host}:${bound} (${tls ? "TLS" : "plaintext"})`);
    }
    if (workers > 0) {
      worker = new Worker({
        store,
        engine,
        audit: createStoreAuditSink(store),
        concurrency: workers,
        leaseMs: config.CS_AGENTS_LEASE_MS,
        maxCrashes: config.CS_AGENTS_MAX_CRASHES,
        maxRunningPerTenant: config.CS_AGENTS_MAX_RUNNING_RUNS_PER_TENANT,
        onEvent: withLiveModelText(engineMetricsListener(metrics), server.publish),
        onError: (error) => logger.error({ reason: (error as Error).message }, "worker error"),
        onWritten: server.wake,
      });
      worker.start();
      deliverer = delivererFromConfig(config, store, {
        onOutcome: (outcome, delivery, detail) => {
          metrics.inc("cs_agents_webhook_deliveries_total", { outcome });
          if (outcome !== "delivered") logger.warn({ delivery: delivery.id, attempt: delivery.attempts, reason: detail }, `webhook ${outcome}`);
        },
        onError: (error) => logger.error({ reason: (error as Error).message }, "webhook deliverer error"),
      });
      deliverer.start();
    }
    // Schedules tick where workers run: any number of replicas, one run per tick.
    const ticker = workers > 0 ? startScheduleLoop(config, { store, metrics, ...(redis ? { redis } : {}), onSubmitted: () => worker?.wake(), onError: (error) => logger.error({ reason: (error as Error).message }, "schedule tick failed") }) : undefined;
    const prune = workers > 0 ? setInterval(() => void pruneOnce(store, config).catch(() => undefined), 60_000) : undefined;
    const signal = await stopped;
    clearInterval(prune);
    await ticker?.stop();
    log(`${signal}: draining (grace ${graceMs} ms)`);
    server.drain();
    grpc?.drain();
    await Promise.all([closeWithin(server, graceMs), grpc?.close(graceMs), worker?.stop(graceMs), deliverer?.stop()]);
    log("stopped");
    return EXIT_OK;
  } finally {
    if (server && !server.draining) await server.close();
    await grpc?.close(0);
    await deliverer?.stop();
    await store.close();
    await tracing?.shutdown().catch(() => undefined);
    redis?.disconnect();
    live?.disconnect();
  }
}

/** What /v1/tools and /v1/agents list, with JSON Schemas made from the tools' zod schemas. */
export function catalogOf(runtime: Pick<Runtime, "tools" | "agents" | "mcp">): Catalog {
  const mcp = runtime.mcp;
  const toolsOf = (server: string) => runtime.tools.list().map((t) => t.name).filter((name) => name.startsWith(`mcp.${server}.`));
  return {
    tools: runtime.tools.list().map((t) => ({
      name: t.name,
      description: t.description,
      idempotent: t.idempotent,
      sensitive: t.sensitive,
      cached: t.cache !== undefined,
      batched: t.batch !== undefined,
      timeoutMs: t.timeoutMs,
      input: z.toJSONSchema(t.input, { unrepresentable: "any" }) as Record<string, unknown>,
      output: z.toJSONSchema(t.output, { unrepresentable: "any" }) as Record<string, unknown>,
    })),
    agents: runtime.agents.list().map((a) => ({ name: a.name, role: a.role, instructions: a.instructions, tools: [...a.tools] })),
    mcpServers: () => [
      ...[...(mcp?.states() ?? [])].map(([name, status]) => ({ name, status, tools: toolsOf(name), error: null })),
      ...[...(mcp?.skipped ?? [])].map(([name, error]) => ({ name, status: "skipped" as const, tools: [], error: error.message })),
    ],
  };
}

function runBudgetView(config: Config): NonNullable<ApiOptions["runBudget"]> {
  const budget = runBudgetFromConfig(config);
  return { maxTokens: budget.maxTokens, maxToolCalls: budget.maxToolCalls, maxMs: budget.maxMs, maxCost: budget.maxCost ?? 0, prices: budget.prices ?? {} };
}

/**
 * The signed checkpoints the audit view checks the chain against, from the bucket or directory
 * the settings name, read afresh on each check. Exported for the test that reads a bucket.
 */
export function withCheckpoints(config: Config): { auditCheckpoints?: () => Promise<Checkpoint[]> } {
  const location = config.CS_AGENTS_AUDIT_CHECKPOINT_URL || config.CS_AGENTS_AUDIT_CHECKPOINT_DIR;
  const keyFile = config.CS_AGENTS_AUDIT_SIGNING_KEY_FILE;
  if (!location || !keyFile) return {};
  const publicKey = createPublicKey(loadSigningKey(readSetting(keyFile, "CS_AGENTS_AUDIT_SIGNING_KEY_FILE")));
  // Built now so a bad URL stops the start; a client per check, closed after (a check is rare).
  checkpointStoreAt(location);
  return {
    auditCheckpoints: async () => {
      const store = checkpointStoreAt(location);
      try {
        return await store.read(publicKey);
      } finally {
        await store.close();
      }
    },
  };
}

/** The auth `serve` runs with; exported so the deploy tests check the shipped settings start. */
export function authMode(config: Config): AuthMode {
  if (config.CS_AGENTS_AUTH === "off") return { mode: "off" };
  const keyFile = config.CS_AGENTS_JWT_PUBLIC_KEY_FILE;
  return {
    mode: "jwt",
    verifier: createTokenVerifier({
      issuer: config.CS_AGENTS_JWT_ISSUER,
      audience: config.CS_AGENTS_JWT_AUDIENCE,
      jwksUrl: config.CS_AGENTS_JWT_JWKS_URL,
      publicKeyPem: keyFile ? readSetting(keyFile, "CS_AGENTS_JWT_PUBLIC_KEY_FILE") : undefined,
      algorithms: config.CS_AGENTS_JWT_ALGORITHMS,
      clockToleranceSeconds: config.CS_AGENTS_JWT_CLOCK_TOLERANCE_S,
      tenantClaim: config.CS_AGENTS_JWT_TENANT_CLAIM,
    }),
  };
}

function tlsPair(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new UsageError(`TLS needs both a certificate and a key: set ${certFile ? "--tls-key (CS_AGENTS_TLS_KEY)" : "--tls-cert (CS_AGENTS_TLS_CERT)"}`);
  return { cert: Buffer.from(readSetting(certFile, "CS_AGENTS_TLS_CERT")), key: Buffer.from(readSetting(keyFile, "CS_AGENTS_TLS_KEY")) };
}

function readSetting(path: string, name: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`${name}: cannot read ${path}`);
  }
}

async function closeWithin(server: ApiServer, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  // Kept-alive connections get a quarter of the grace (at most 1 s) to be used once more and closed cleanly.
  await Promise.race([server.close({ settleMs: Math.min(1_000, graceMs / 4) }), over]);
  clearTimeout(timer);
  server.app.server.closeAllConnections();
}

async function pruneOnce(store: ServiceStore, config: Config): Promise<void> {
  await store.prune({
    ...(config.CS_AGENTS_RETENTION_DAYS > 0 ? { maxAgeMs: config.CS_AGENTS_RETENTION_DAYS * DAY_MS } : {}),
    ...(config.CS_AGENTS_RETENTION_MAX_RUNS > 0 ? { maxFinishedRuns: config.CS_AGENTS_RETENTION_MAX_RUNS } : {}),
  });
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
