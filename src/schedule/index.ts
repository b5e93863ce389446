export { checkScheduleSpec, cronOf, tickAfter, ScheduleSpecError, MIN_EVERY_MS, MAX_EVERY_MS } from "./schedule-spec.js";
export type { ScheduleSpec } from "./schedule-spec.js";
export { planTick, tickKey, DEFAULT_LATE_AFTER_MS } from "./plan-tick.js";
export { ScheduleTicker } from "./schedule-ticker.js";
export type { ScheduleTickerOptions } from "./schedule-ticker.js";
export { scheduleTickMetrics } from "./tick-metrics.js";
