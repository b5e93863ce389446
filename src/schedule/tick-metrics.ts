import type { MetricsRegistry } from "../observability/index.js";
import type { FiredTick } from "../store/index.js";

/** Counts each fired tick in cs_agents_schedule_ticks_total by outcome (submitted, duplicate, missed, refused). */
export function scheduleTickMetrics(metrics: Pick<MetricsRegistry, "inc">): (ticks: readonly FiredTick[]) => void {
  return (ticks) => {
    for (const tick of ticks) metrics.inc("cs_agents_schedule_ticks_total", { outcome: tick.outcome });
  };
}
