import { collectDefaultMetrics, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { DEFAULT_METRICS_PREFIX, INFRASTRUCTURE_METRICS, METRICS } from "../../src/observability/metric-names.js";
import { readText } from "./tools.js";

/** Labels that would make one series per run, tenant or user. */
const UNBOUNDED_LABELS = ["run_id", "runid", "run", "tenant", "user", "subject", "task", "step", "idempotency_key", "trace_id"];

describe("metric catalogue", () => {
  it("names every metric once", () => {
    const names = METRICS.map((metric) => metric.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("follows Prometheus naming: cs_agents_ prefix (or the seed's agent_errors_total) and a unit suffix", () => {
    for (const metric of METRICS) {
      expect(metric.name, metric.name).toMatch(/^(cs_agents_[a-z0-9_]+|agent_errors_total)$/);
      if (metric.type === "counter") expect(metric.name, metric.name).toMatch(/_total$/);
      // prom-client's own gauges (nodejs_active_handles_total, …) are the one exception.
      else if (metric.level !== "infrastructure") expect(metric.name, metric.name).not.toMatch(/_total$/);
      if (metric.type === "histogram") expect(metric.buckets.length, metric.name).toBeGreaterThan(0);
      else expect(metric.buckets, metric.name).toEqual([]);
      expect(metric.help.length, metric.name).toBeGreaterThan(10);
    }
  });

  it("keeps the seed's agent_errors_total with labels agent, tool, code", () => {
    const seed = METRICS.find((metric) => metric.name === "agent_errors_total");
    expect(seed).toMatchObject({ type: "counter", labels: ["agent", "tool", "code"] });
  });

  it("has no unbounded labels (run ids, tenants, users)", () => {
    for (const metric of METRICS) {
      for (const label of metric.labels) expect(UNBOUNDED_LABELS, `${metric.name}{${label}}`).not.toContain(label);
    }
  });

  it("lists exactly prom-client's default metrics under the configured prefix", async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: DEFAULT_METRICS_PREFIX });
    const exported = (await registry.getMetricsAsJSON()).map((metric) => ({ name: metric.name, type: String(metric.type) }));
    const catalogued = INFRASTRUCTURE_METRICS.map((metric) => ({ name: metric.name, type: metric.type }));
    expect([...catalogued].sort(byName)).toEqual([...exported].sort(byName));
    registry.clear();
  });

  it("documents every metric in docs/metrics.md", () => {
    const doc = readText("docs/metrics.md");
    for (const metric of METRICS) expect(doc, metric.name).toContain(`\`${metric.name}\``);
  });
});

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}
