/**
 * The catalogue of every metric cs-agents exports: name, type, help text, label names and, for
 * histograms, the buckets. Pure data — no prom-client here — so the code that registers the
 * metrics, the alert rules, the Grafana dashboard and docs/metrics.md can all be checked
 * against one list (test/deploy/metric-catalogue.test.ts).
 *
 * Naming follows Prometheus: `cs_agents_<noun>_<unit>` (`_total`, `_seconds`, `_bytes`,
 * `_ratio`), plus `agent_errors_total`, whose name the seed's alert fixes. Labels are bounded:
 * route templates, tool and agent names, outcomes and codes — never run ids, tenants or users.
 */

export type MetricType = "counter" | "gauge" | "histogram";

/** Which of the seed's three monitoring levels a metric belongs to (and its dashboard row). */
export type MetricLevel = "infrastructure" | "service" | "business";

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly level: MetricLevel;
  /** Histogram bucket upper bounds; empty for counters and gauges. */
  readonly buckets: readonly number[];
}

/** The prefix handed to prom-client's `collectDefaultMetrics`. */
export const DEFAULT_METRICS_PREFIX = "cs_agents_";

/** Latency buckets (seconds) with a bound at the seed's 500 ms P99 target. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Tool and subtask durations (seconds): fast lookups up to slow model-backed work. */
export const WORK_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;
/** Whole-run durations (seconds): a report takes seconds offline, minutes with an LLM. */
export const RUN_DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] as const;
/** Calls coalesced into one batch. */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128] as const;
/** Ratios between 0 and 1. */
export const RATIO_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1] as const;
/** Subtasks of one run that were running at the same moment, at most. */
export const PARALLELISM_BUCKETS = [1, 2, 3, 4, 6, 8, 12, 16] as const;
/** prom-client's own GC duration buckets. */
export const GC_DURATION_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5] as const;

function metric(
  level: MetricLevel,
  type: MetricType,
  name: string,
  help: string,
  labels: readonly string[] = [],
  buckets: readonly number[] = [],
): MetricSpec {
  return { name, type, help, labels, level, buckets };
}

const service = (type: MetricType, name: string, help: string, labels?: readonly string[], buckets?: readonly number[]) =>
  metric("service", type, name, help, labels, buckets);
const business = (type: MetricType, name: string, help: string, labels?: readonly string[], buckets?: readonly number[]) =>
  metric("business", type, name, help, labels, buckets);
const infra = (type: MetricType, name: string, help: string, labels?: readonly string[], buckets?: readonly number[]) =>
  metric("infrastructure", type, `${DEFAULT_METRICS_PREFIX}${name}`, help, labels, buckets);

const HTTP_LABELS = ["method", "route", "status"] as const;

/** Service level: the HTTP API (seed targets: P99 < 500 ms, error rate < 0.5 %). */
export const SERVICE_METRICS: readonly MetricSpec[] = [
  service("counter", "cs_agents_http_requests_total", "HTTP requests answered, by route template and status", HTTP_LABELS),
  service("histogram", "cs_agents_http_request_duration_seconds", "Time to answer HTTP requests, by route template and status", HTTP_LABELS, HTTP_DURATION_BUCKETS),
  service("gauge", "cs_agents_http_requests_in_flight", "HTTP requests being answered now"),
  service("gauge", "cs_agents_build_info", "Always 1; the running version and Node.js version as labels", ["version", "node_version"]),
  service("gauge", "cs_agents_event_subscribers", "Event streams (SSE and the other doors' streams) following a run in this process now"),
  service("gauge", "cs_agents_event_runs_followed", "Runs this process's event hub follows now: one store poller each, however many subscribers"),
  service("counter", "cs_agents_event_store_reads_total", "Looks at the store by the event hub: one round of queries for one followed run, not one per subscriber"),
  service("counter", "cs_agents_event_subscribers_cut_total", "Event subscribers ended for falling too far behind (their clients resume from the last id they got)"),
];

/** Business level: runs, subtasks, tools, caches, the queue, leases and models. */
export const BUSINESS_METRICS: readonly MetricSpec[] = [
  business("counter", "agent_errors_total", "Failed tool calls and agent steps, by agent, tool and error code (name fixed by the seed's HighErrorRate alert)", ["agent", "tool", "code"]),
  business("counter", "cs_agents_runs_submitted_total", "Runs accepted into the queue"),
  business("counter", "cs_agents_schedule_ticks_total", "Due schedule ticks, by outcome: submitted (a run), duplicate (its run existed), missed (skipped after downtime), refused (active-run cap or rate limit)", ["outcome"]),
  business("counter", "cs_agents_runs_total", "Runs finished, by outcome (succeeded, failed, cancelled)", ["outcome"]),
  business("gauge", "cs_agents_runs_in_progress", "Runs this process is executing now"),
  business("histogram", "cs_agents_run_duration_seconds", "Wall time of a run from its first claim to its end, by outcome", ["outcome"], RUN_DURATION_BUCKETS),
  business("counter", "cs_agents_subtasks_total", "Subtasks finished, by agent and outcome", ["agent", "outcome"]),
  business("histogram", "cs_agents_subtask_duration_seconds", "Time a subtask ran, by agent and outcome", ["agent", "outcome"], WORK_DURATION_BUCKETS),
  business("counter", "cs_agents_tool_calls_total", "Tool calls, by tool and outcome (success, error, timeout, rejected, cached)", ["tool", "outcome"]),
  business("histogram", "cs_agents_tool_call_duration_seconds", "Time a tool call took including retries, by tool and outcome", ["tool", "outcome"], WORK_DURATION_BUCKETS),
  business("counter", "cs_agents_tool_retries_total", "Tool call attempts after the first, by tool", ["tool"]),
  business("gauge", "cs_agents_circuit_breaker_open", "1 while a tool's circuit breaker is open, else 0", ["tool"]),
  business("counter", "cs_agents_cache_hits_total", "Tool cache hits, by level (l1 memory, l2 redis)", ["level"]),
  business("counter", "cs_agents_cache_misses_total", "Tool cache misses, by level (l1 memory, l2 redis)", ["level"]),
  business("histogram", "cs_agents_batch_size_calls", "Calls coalesced into one batched backend call, by tool", ["tool"], BATCH_SIZE_BUCKETS),
  business("gauge", "cs_agents_queue_depth_runs", "Runs queued and not claimed by any worker (the shared store's view)"),
  business("gauge", "cs_agents_queue_oldest_age_seconds", "Age of the oldest queued run, 0 when the queue is empty"),
  business("counter", "cs_agents_leases_reclaimed_total", "Runs claimed after another worker's lease expired (a worker died or stalled)"),
  business("counter", "cs_agents_stale_writes_rejected_total", "Journal writes refused because the writer's lease was taken over (fencing)"),
  business("gauge", "cs_agents_sqlite_checkpoint_thread_failed", "1 once the SQLite store's WAL checkpoint thread stopped on an error (commits then checkpoint themselves, more slowly), else 0"),
  business("counter", "cs_agents_webhook_deliveries_total", "Webhook delivery attempts, by outcome (delivered, retried: failed with attempts left, failed: given up or refused)", ["outcome"]),
  business("counter", "cs_agents_run_sleeps_total", "Times a run went to sleep on a durable timer (it held no lease until due)"),
  business("counter", "cs_agents_run_input_waits_total", "Times a run stopped to wait for a person's answer (ctx.ask; it held no lease meanwhile)"),
  business("counter", "cs_agents_ambiguous_steps_total", "Non-idempotent tool calls found started but unfinished on replay, left for a person to decide"),
  business("counter", "cs_agents_plans_total", "Plans made, by planner (llm, llm_repaired, template, other); replayed plans are not counted", ["planner"]),
  business("counter", "cs_agents_model_calls_total", "Model calls, by model and outcome", ["model", "outcome"]),
  business("counter", "cs_agents_model_tokens_total", "Model tokens, by model and kind (input, output)", ["model", "kind"]),
  business("counter", "cs_agents_run_critical_path_seconds_total", "Sum over finished runs of the critical path: the longest dependency chain of subtask durations"),
  business("counter", "cs_agents_run_wall_seconds_total", "Sum over finished runs of their wall time from first subtask start to last subtask end"),
  business("counter", "cs_agents_subtask_busy_seconds_total", "Sum over finished runs of every subtask's running time"),
  business("histogram", "cs_agents_run_collaboration_efficiency_ratio", "Per run: critical-path time / wall time (1 = no time lost to scheduling or waiting)", [], RATIO_BUCKETS),
  business("histogram", "cs_agents_run_parallel_subtasks", "Per run: most subtasks running at the same moment", [], PARALLELISM_BUCKETS),
];

/** Infrastructure level: prom-client's default metrics, collected with the prefix above. */
export const INFRASTRUCTURE_METRICS: readonly MetricSpec[] = [
  infra("counter", "process_cpu_user_seconds_total", "Total user CPU time spent in seconds."),
  infra("counter", "process_cpu_system_seconds_total", "Total system CPU time spent in seconds."),
  infra("counter", "process_cpu_seconds_total", "Total user and system CPU time spent in seconds."),
  infra("gauge", "process_start_time_seconds", "Start time of the process since unix epoch in seconds."),
  infra("gauge", "process_resident_memory_bytes", "Resident memory size in bytes."),
  infra("gauge", "process_virtual_memory_bytes", "Virtual memory size in bytes."),
  infra("gauge", "process_heap_bytes", "Process heap size in bytes."),
  infra("gauge", "process_open_fds", "Number of open file descriptors."),
  infra("gauge", "process_max_fds", "Maximum number of open file descriptors."),
  infra("gauge", "nodejs_eventloop_lag_seconds", "Lag of event loop in seconds."),
  infra("gauge", "nodejs_eventloop_lag_min_seconds", "The minimum recorded event loop delay."),
  infra("gauge", "nodejs_eventloop_lag_max_seconds", "The maximum recorded event loop delay."),
  infra("gauge", "nodejs_eventloop_lag_mean_seconds", "The mean of the recorded event loop delays."),
  infra("gauge", "nodejs_eventloop_lag_stddev_seconds", "The standard deviation of the recorded event loop delays."),
  infra("gauge", "nodejs_eventloop_lag_p50_seconds", "The 50th percentile of the recorded event loop delays."),
  infra("gauge", "nodejs_eventloop_lag_p90_seconds", "The 90th percentile of the recorded event loop delays."),
  infra("gauge", "nodejs_eventloop_lag_p99_seconds", "The 99th percentile of the recorded event loop delays."),
  infra("gauge", "nodejs_active_resources", "Number of active resources that are currently keeping the event loop alive, grouped by async resource type.", ["type"]),
  infra("gauge", "nodejs_active_resources_total", "Total number of active resources."),
  infra("gauge", "nodejs_active_handles", "Number of active libuv handles grouped by handle type. Every handle type is C++ class name.", ["type"]),
  infra("gauge", "nodejs_active_handles_total", "Total number of active handles."),
  infra("gauge", "nodejs_active_requests", "Number of active libuv requests grouped by request type. Every request type is C++ class name.", ["type"]),
  infra("gauge", "nodejs_active_requests_total", "Total number of active requests."),
  infra("gauge", "nodejs_heap_size_total_bytes", "Process heap size from Node.js in bytes."),
  infra("gauge", "nodejs_heap_size_used_bytes", "Process heap size used from Node.js in bytes."),
  infra("gauge", "nodejs_external_memory_bytes", "Node.js external memory size in bytes."),
  infra("gauge", "nodejs_heap_space_size_total_bytes", "Process heap space size total from Node.js in bytes.", ["space"]),
  infra("gauge", "nodejs_heap_space_size_used_bytes", "Process heap space size used from Node.js in bytes.", ["space"]),
  infra("gauge", "nodejs_heap_space_size_available_bytes", "Process heap space size available from Node.js in bytes.", ["space"]),
  infra("gauge", "nodejs_version_info", "Node.js version info.", ["version", "major", "minor", "patch"]),
  infra("histogram", "nodejs_gc_duration_seconds", "Garbage collection duration by kind, one of major, minor, incremental or weakcb.", ["kind"], GC_DURATION_BUCKETS),
];

/** Every metric, all three levels. */
export const METRICS: readonly MetricSpec[] = [...INFRASTRUCTURE_METRICS, ...SERVICE_METRICS, ...BUSINESS_METRICS];

/**
 * The series names a metric exposes on /metrics: a histogram's `_bucket`, `_sum` and `_count`,
 * the name itself otherwise.
 */
export function seriesNames(spec: MetricSpec): readonly string[] {
  return spec.type === "histogram" ? [`${spec.name}_bucket`, `${spec.name}_sum`, `${spec.name}_count`] : [spec.name];
}
