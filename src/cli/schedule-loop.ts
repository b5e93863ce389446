import type { Redis } from "ioredis";
import { RateLimiter } from "../api/index.js";
import type { Config } from "../config.js";
import type { MetricsRegistry } from "../observability/index.js";
import { scheduleTickMetrics, ScheduleTicker } from "../schedule/index.js";
import type { ServiceStore } from "../store/index.js";

export interface ScheduleLoopDeps {
  readonly store: ServiceStore;
  readonly metrics?: MetricsRegistry;
  /** Shares the tenants' rate-limit counts with the API replicas. */
  readonly redis?: Redis;
  /** Told when a tick submitted runs, so an in-process worker claims them now. */
  readonly onSubmitted?: () => void;
  readonly onError: (error: unknown) => void;
}

/**
 * The schedule tick loop of a process that runs workers (`serve --workers`, `worker`). Ticks go
 * through the tenant's active-run cap and rate limit as API submissions do; a refused tick is
 * recorded on the schedule and not retried.
 */
export function startScheduleLoop(config: Config, deps: ScheduleLoopDeps): ScheduleTicker {
  const perMinute = config.CS_AGENTS_RATE_LIMIT_PER_MINUTE;
  const limiter = perMinute > 0 ? new RateLimiter({ max: perMinute, windowMs: 60_000, ...(deps.redis ? { redis: deps.redis } : {}) }) : undefined;
  const count = deps.metrics ? scheduleTickMetrics(deps.metrics) : undefined;
  const ticker = new ScheduleTicker({
    store: deps.store,
    ...(config.CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT > 0 ? { maxActiveRuns: config.CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT } : {}),
    // The same key the API counts a tenant's requests under.
    ...(limiter ? { admit: async (tenant: string) => ((await limiter.take(`tenant:${tenant}`)).allowed ? undefined : "RATE_LIMITED") } : {}),
    onFired: (ticks) => {
      count?.(ticks);
      if (ticks.some((t) => t.outcome === "submitted")) deps.onSubmitted?.();
    },
    onError: deps.onError,
  });
  ticker.start();
  return ticker;
}
