import type { MetricsRegistry } from "../observability/index.js";
import type { RunEventHub } from "./run-event-hub.js";

/**
 * Exports the event hub's stats at each scrape: subscribers and followed runs now (gauges), and
 * its looks at the store and cut subscribers (counters that follow the hub's own counts, moved
 * by the difference since the last scrape). Store reads against subscribers shows the fan-out:
 * one look per run per change, however many clients follow it.
 */
export function watchEventHub(metrics: MetricsRegistry, hub: Pick<RunEventHub, "stats">): void {
  let seen = { storeReads: 0, cut: 0 };
  metrics.onCollect(() => {
    const stats = hub.stats();
    metrics.set("cs_agents_event_subscribers", stats.subscribers);
    metrics.set("cs_agents_event_runs_followed", stats.runs);
    metrics.inc("cs_agents_event_store_reads_total", {}, stats.storeReads - seen.storeReads);
    metrics.inc("cs_agents_event_subscribers_cut_total", {}, stats.cut - seen.cut);
    seen = { storeReads: stats.storeReads, cut: stats.cut };
  });
}
