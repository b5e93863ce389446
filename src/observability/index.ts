export * from "./metric-names.js";
export { MetricsRegistry } from "./metrics-registry.js";
export { engineMetricsListener } from "./engine-metrics.js";
export { watchProcess, type MetricSources } from "./watch-process.js";
