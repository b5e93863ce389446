import type { CacheStats } from "../cache/index.js";
import type { QueueStats, StoreStats } from "../store/index.js";
import type { MetricsRegistry } from "./metrics-registry.js";

/** What the collectors read at each scrape; each part is optional. */
export interface MetricSources {
  /** The shared store's queue (one query per scrape) and this process's lease counters. */
  readonly store?: { queueStats(): Promise<QueueStats>; stats(): StoreStats };
  /** The tool cache's counters, and whether it has a Redis level behind memory. */
  readonly cache?: { readonly stats: () => CacheStats | undefined; readonly levels: 1 | 2 };
  /** Tool names and their breakers' states. */
  readonly breakers?: { readonly tools: () => readonly string[]; readonly state: (tool: string) => "closed" | "open" | "half-open" };
  readonly version?: string;
}

/**
 * Registers the collect-time metrics: queue depth and age, leases reclaimed and stale writes
 * (counters that follow the store's own), cache hits and misses by level, breaker states, and
 * build info. Counters only move forward by the difference since the last scrape.
 */
export function watchProcess(metrics: MetricsRegistry, sources: MetricSources, now: () => number = Date.now): void {
  const seen = new Map<string, number>();
  const follow = (name: string, total: number, labels: Record<string, string> = {}) => {
    const key = `${name}${JSON.stringify(labels)}`;
    metrics.inc(name, labels, total - (seen.get(key) ?? 0));
    seen.set(key, Math.max(total, seen.get(key) ?? 0));
  };
  metrics.set("cs_agents_build_info", 1, { version: sources.version ?? "unknown", node_version: process.version });
  const { store, cache, breakers } = sources;
  if (store) {
    metrics.onCollect(async () => {
      const stats = store.stats();
      follow("cs_agents_leases_reclaimed_total", stats.reclaims);
      follow("cs_agents_stale_writes_rejected_total", stats.staleWritesRejected);
      if (stats.checkpointThreadFailed !== undefined) metrics.set("cs_agents_sqlite_checkpoint_thread_failed", stats.checkpointThreadFailed ? 1 : 0);
      const queue = await store.queueStats();
      metrics.set("cs_agents_queue_depth_runs", queue.depth);
      metrics.set("cs_agents_queue_oldest_age_seconds", queue.oldestCreatedAt ? Math.max(0, now() - queue.oldestCreatedAt.getTime()) / 1_000 : 0);
    });
  }
  if (cache) {
    metrics.onCollect(() => {
      const stats = cache.stats();
      if (!stats) return;
      follow("cs_agents_cache_hits_total", stats.hits.l1, { level: "l1" });
      // Every lookup memory missed went on to Redis (a hit there) or to the tool (a miss of both).
      follow("cs_agents_cache_misses_total", stats.hits.l2 + stats.misses, { level: "l1" });
      if (cache.levels === 2) {
        follow("cs_agents_cache_hits_total", stats.hits.l2, { level: "l2" });
        follow("cs_agents_cache_misses_total", stats.misses, { level: "l2" });
      }
    });
  }
  if (breakers) {
    metrics.onCollect(() => {
      for (const tool of breakers.tools()) metrics.set("cs_agents_circuit_breaker_open", breakers.state(tool) === "open" ? 1 : 0, { tool });
    });
  }
}
