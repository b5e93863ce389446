import { createStoreAuditSink } from "../../audit/index.js";
import { Worker } from "../../engine/index.js";
import { delivererFromConfig } from "../../delivery/index.js";
import { createLogger, createTracing, loggedEngine, tracedEngine } from "../../observability/index.js";
import { redisLiveRelay } from "../../api/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import { livePublisher, withLiveModelText } from "../live-model-text.js";
import type { CommandContext } from "../main.js";
import { withStore } from "../open-store.js";
import { startScheduleLoop } from "../schedule-loop.js";
import { waitForStop } from "../stop-signal.js";

const DAY_MS = 86_400_000;

/** `cs-agents worker`: claims runs from the shared store until SIGTERM or SIGINT, then drains. */
export async function workerCommand(context: CommandContext, options: { concurrency?: string; graceMs?: string }): Promise<number> {
  const { config, io } = context;
  const concurrency = wholeNumber(options.concurrency, "--concurrency", 1, 256) ?? 4;
  const graceMs = wholeNumber(options.graceMs, "--grace-ms", 0, 3_600_000) ?? config.CS_AGENTS_GRACE_MS;
  // Watched from the start: npm may be gone before the worker has started.
  const stopped = waitForStop(io.env);
  const runtime = await context.runtime();
  const logger = createLogger(io.stdout, config.CS_AGENTS_LOG_FORMAT);
  const tracing = await createTracing({ otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const engine = loggedEngine(tracing ? tracedEngine(runtime.engine, tracing.tracer) : runtime.engine, logger);
  return withStore(context, async (store) => {
    const publisher = config.REDIS_URL ? livePublisher(config.REDIS_URL) : undefined;
    const relay = publisher ? redisLiveRelay(publisher, undefined) : undefined;
    const worker = new Worker({
      store,
      engine,
      audit: createStoreAuditSink(store),
      concurrency,
      leaseMs: config.CS_AGENTS_LEASE_MS,
      maxCrashes: config.CS_AGENTS_MAX_CRASHES,
      maxRunningPerTenant: config.CS_AGENTS_MAX_RUNNING_RUNS_PER_TENANT,
      onError: (error) => logger.error({ reason: (error as Error).message }, "worker error"),
      // With Redis, the model's text as it streams reaches the API replicas' event streams.
      ...(relay ? { onEvent: withLiveModelText(undefined, (runId, event) => relay.publish(runId, event)) } : {}),
    });
    const log = (line: string) => logger.info(line);
    const prune = setInterval(() => {
      store
        .prune({
          ...(config.CS_AGENTS_RETENTION_DAYS > 0 ? { maxAgeMs: config.CS_AGENTS_RETENTION_DAYS * DAY_MS } : {}),
          ...(config.CS_AGENTS_RETENTION_MAX_RUNS > 0 ? { maxFinishedRuns: config.CS_AGENTS_RETENTION_MAX_RUNS } : {}),
        })
        .then((n) => n > 0 && log(`pruned ${n} finished runs`))
        .catch((error: unknown) => logger.error({ reason: (error as Error).message }, "prune failed"));
    }, 60_000);
    const deliverer = delivererFromConfig(config, store, {
      onOutcome: (outcome, delivery, detail) => {
        if (outcome !== "delivered") logger.warn({ delivery: delivery.id, attempt: delivery.attempts, reason: detail }, `webhook ${outcome}`);
      },
      onError: (error) => logger.error({ reason: (error as Error).message }, "webhook deliverer error"),
    });
    worker.start();
    deliverer.start();
    // Schedules tick where workers run: any number of replicas, one run per tick.
    const ticker = startScheduleLoop(config, { store, onSubmitted: () => worker.wake(), onError: (error) => logger.error({ reason: (error as Error).message }, "schedule tick failed") });
    log(`worker ${worker.id} started: concurrency ${concurrency}, lease ${config.CS_AGENTS_LEASE_MS} ms`);
    const signal = await stopped;
    clearInterval(prune);
    await ticker.stop();
    log(`${signal}: draining ${worker.activeRuns.length} run(s) for up to ${graceMs} ms`);
    await Promise.all([worker.stop(graceMs), deliverer.stop()]);
    log(`worker ${worker.id} stopped`);
    await tracing?.shutdown().catch(() => undefined);
    publisher?.disconnect();
    return EXIT_OK;
  });
}

export function wholeNumber(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got "${value}"`, { key: "cli.number-range", params: { name, min, max, value } });
  return n;
}
