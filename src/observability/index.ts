export * from "./metric-names.js";
export { MetricsRegistry } from "./metrics-registry.js";
export { engineMetricsListener } from "./engine-metrics.js";
export { watchProcess, type MetricSources } from "./watch-process.js";
export { contextOf, createTracing, traceIdOf, tracedEngine, type Tracing, type TracingOptions } from "./tracing.js";
export { createLogger, loggedEngine, type LogFormat, type Logger } from "./logger.js";
