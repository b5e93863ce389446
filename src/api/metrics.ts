import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/** The HTTP metrics of one server, in its own registry (with the process metrics). */
export interface HttpMetrics {
  readonly registry: Registry;
  observe(labels: { method: string; route: string; status: number }, seconds: number): void;
}

export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "cs_agents_" });
  const labelNames = ["method", "route", "status"] as const;
  const requests = new Counter({ name: "cs_agents_http_requests_total", help: "HTTP requests answered, by route template and status", labelNames, registers: [registry] });
  const duration = new Histogram({
    name: "cs_agents_http_request_duration_seconds",
    help: "Time to answer HTTP requests, by route template and status",
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    observe(labels, seconds) {
      const values = { method: labels.method, route: labels.route, status: String(labels.status) };
      requests.inc(values);
      duration.observe(values, seconds);
    },
  };
}
