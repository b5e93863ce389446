import { describe, expect, it } from "vitest";
import type { AgentModel } from "../../src/agents/index.js";
import { createRulesModel } from "../../src/agents/index.js";
import { engineMetricsListener, MetricsRegistry, watchProcess } from "../../src/observability/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { planOf, testEngine } from "../engine/fixtures.js";

/** The value of one series, or undefined when it was never set. */
async function value(metrics: MetricsRegistry, name: string, labels: Record<string, string> = {}, suffix = ""): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  // Counters and gauges leave metricName out; a histogram names each series (_bucket, _sum, _count).
  const match = values.find((v) => ((v as { metricName?: string }).metricName ?? name) === `${name}${suffix}` && Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l));
  return match?.value;
}

describe("engine metrics", () => {
  it("counts runs, subtasks and tool calls by outcome, and times them", async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    const t = testEngine({ plan: planOf({ a: [], b: ["a"], c: ["a"] }), delayMs: 20 });
    const outcome = await t.engine.execute({ runId: "r1", task: t.task, onEvent: engineMetricsListener(metrics) });
    expect(outcome.status).toBe("succeeded");
    expect(await value(metrics, "cs_agents_runs_total", { outcome: "succeeded" })).toBe(1);
    expect(await value(metrics, "cs_agents_subtasks_total", { agent: "worker", outcome: "succeeded" })).toBe(3);
    expect(await value(metrics, "cs_agents_tool_calls_total", { tool: "work", outcome: "success" })).toBe(3);
    expect(await value(metrics, "cs_agents_tool_call_duration_seconds", { tool: "work", outcome: "success" }, "_count")).toBe(3);
    expect(await value(metrics, "cs_agents_runs_in_progress")).toBe(0);
    expect(await value(metrics, "cs_agents_plans_total", { planner: "other" })).toBe(1);
    expect(await value(metrics, "agent_errors_total", { agent: "worker", tool: "work" })).toBeUndefined();
  });

  it("counts a failed tool call in agent_errors_total with agent, tool and code, once", async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), failIds: ["a"] });
    const outcome = await t.engine.execute({ runId: "r1", task: t.task, onEvent: engineMetricsListener(metrics) });
    expect(outcome.status).toBe("failed");
    expect(await value(metrics, "agent_errors_total", { agent: "worker", tool: "work", code: "TOOL_FAILED" })).toBe(1);
    expect(await value(metrics, "agent_errors_total", { agent: "worker", tool: "none" })).toBeUndefined();
    expect(await value(metrics, "cs_agents_tool_calls_total", { tool: "work", outcome: "error" })).toBe(1);
    expect(await value(metrics, "cs_agents_runs_total", { outcome: "failed" })).toBe(1);
    expect(await value(metrics, "cs_agents_subtasks_total", { agent: "worker", outcome: "failed" })).toBe(1);
  });

  it("measures collaboration: critical path over wall time, and subtasks at once", async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    // a, then b and c side by side: the critical path is two subtasks long, the wall the same.
    const t = testEngine({ plan: planOf({ a: [], b: ["a"], c: ["a"] }), delayMs: 40 });
    await t.engine.execute({ runId: "r1", task: t.task, onEvent: engineMetricsListener(metrics) });
    const critical = (await value(metrics, "cs_agents_run_critical_path_seconds_total")) ?? 0;
    const wall = (await value(metrics, "cs_agents_run_wall_seconds_total")) ?? 0;
    const busy = (await value(metrics, "cs_agents_subtask_busy_seconds_total")) ?? 0;
    expect(critical).toBeGreaterThan(0.07);
    expect(critical).toBeLessThanOrEqual(wall + 0.001);
    expect(busy).toBeGreaterThan(critical);
    expect(await value(metrics, "cs_agents_run_parallel_subtasks", { le: "1" }, "_bucket")).toBe(0);
    expect(await value(metrics, "cs_agents_run_parallel_subtasks", { le: "2" }, "_bucket")).toBe(1);
    expect(await value(metrics, "cs_agents_run_collaboration_efficiency_ratio", {}, "_count")).toBe(1);
  });

  it("counts model calls and tokens by model and kind, not again on replay", async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    const rules = createRulesModel();
    const model: AgentModel = {
      name: "scripted-llm",
      deterministic: false,
      decide: async (context) => ({ ...(await rules.decide(context)), usage: { inputTokens: 100, outputTokens: 7, totalTokens: 107 } }),
    };
    const t = testEngine({ plan: planOf({ a: [] }), model });
    await t.engine.execute({ runId: "r1", task: t.task, onEvent: engineMetricsListener(metrics) });
    await t.engine.execute({ runId: "r1", task: t.task, onEvent: engineMetricsListener(metrics) });
    expect(await value(metrics, "cs_agents_model_calls_total", { model: "scripted-llm", outcome: "ok" })).toBe(2);
    expect(await value(metrics, "cs_agents_model_tokens_total", { model: "scripted-llm", kind: "input" })).toBe(200);
    expect(await value(metrics, "cs_agents_model_tokens_total", { model: "scripted-llm", kind: "output" })).toBe(14);
  });
});

describe("process metrics", () => {
  it("shows a failed SQLite checkpoint thread as a gauge of 1", async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    let checkpointThreadFailed = false;
    const store = { stats: () => ({ reclaims: 0, staleWritesRejected: 0, checkpointThreadFailed }), queueStats: async () => ({ depth: 0, oldestCreatedAt: undefined }) };
    watchProcess(metrics, { store });
    expect(await metrics.text()).toMatch(/^cs_agents_sqlite_checkpoint_thread_failed 0$/m);
    checkpointThreadFailed = true;
    expect(await metrics.text()).toMatch(/^cs_agents_sqlite_checkpoint_thread_failed 1$/m);
  });

  it("reads the queue, lease counters and cache counters at each scrape", async () => {
    const store = SqliteStore.open(":memory:");
    try {
      const metrics = new MetricsRegistry({ defaultMetrics: false });
      let hits = { l1: 3, l2: 0 };
      watchProcess(metrics, { store, cache: { stats: () => ({ hits, misses: 2, redisErrors: 0 }), levels: 1 }, version: "9.9.9" }, () => Date.now() + 60_000);
      await store.submit({ description: "one" }, { runId: "r1" });
      await store.submit({ description: "two" }, { runId: "r2" });
      let text = await metrics.text();
      expect(text).toMatch(/^cs_agents_queue_depth_runs 2$/m);
      expect(Number(/^cs_agents_queue_oldest_age_seconds (\S+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(59);
      expect(text).toMatch(/^cs_agents_cache_hits_total\{level="l1"\} 3$/m);
      expect(text).toMatch(/^cs_agents_cache_misses_total\{level="l1"\} 2$/m);
      expect(text).not.toMatch(/level="l2"/);
      expect(text).toMatch(/^cs_agents_build_info\{version="9\.9\.9",node_version="v\d+/m);
      // A store in memory has no checkpoint thread: nothing failed.
      expect(text).toMatch(/^cs_agents_sqlite_checkpoint_thread_failed 0$/m);
      hits = { l1: 5, l2: 0 };
      await store.claim({ workerId: "w", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      text = await metrics.text();
      expect(text).toMatch(/^cs_agents_queue_depth_runs 1$/m);
      expect(text).toMatch(/^cs_agents_cache_hits_total\{level="l1"\} 5$/m);
    } finally {
      await store.close();
    }
  });
});
