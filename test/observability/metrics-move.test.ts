import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../src/observability/index.js";
import { BUSINESS_METRICS, SERVICE_METRICS } from "../../src/observability/metric-names.js";
import { bearer, makeApi, token } from "../api/harness.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** Metric names passed to the registry's update calls (inc, set, add, observe, follow) anywhere in src/. */
function updatedNames(): Set<string> {
  const names = new Set<string>();
  for (const file of sources(SRC)) {
    if (file.endsWith("metric-names.ts")) continue;
    for (const match of readFileSync(file, "utf8").matchAll(/\b(?:inc|set|add|observe|follow)\(\s*"([a-z_][a-z0-9_]*)"/g)) names.add(match[1] ?? "");
  }
  return names;
}

async function counter(metrics: MetricsRegistry, name: string): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}

describe("every catalogued metric moves", () => {
  it("is updated by some code in src/ (a catalogued metric nothing updates is a flat panel)", () => {
    const updated = updatedNames();
    const never = [...SERVICE_METRICS, ...BUSINESS_METRICS].map((m) => m.name).filter((name) => !updated.has(name));
    expect(never).toEqual([]);
  });

  it("counts an accepted submission in cs_agents_runs_submitted_total, once per run (not on an idempotent replay)", async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    const t = await makeApi({}, undefined, { metrics });
    try {
      const headers = { ...bearer(await token()), "content-type": "application/json", "idempotency-key": "k-1" };
      const submit = () => t.api.app.inject({ method: "POST", url: "/v1/tasks", headers, payload: JSON.stringify({ description: "生成季度财务报告" }) });
      expect(await counter(metrics, "cs_agents_runs_submitted_total")).toBe(0);
      expect((await submit()).statusCode).toBe(202);
      expect(await counter(metrics, "cs_agents_runs_submitted_total")).toBe(1);
      const replay = await submit();
      expect(replay.headers["idempotent-replayed"]).toBe("true");
      expect(await counter(metrics, "cs_agents_runs_submitted_total")).toBe(1);
      const scraped = await t.api.app.inject({ method: "GET", url: "/metrics" });
      expect(scraped.body).toMatch(/^cs_agents_runs_submitted_total 1$/m);
    } finally {
      await t.close();
    }
  });
});
