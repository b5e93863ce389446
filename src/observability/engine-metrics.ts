import type { EngineEvent, EventListener } from "../engine/index.js";
import type { Plan } from "../core/index.js";
import type { MetricsRegistry } from "./metrics-registry.js";

/** Runs followed at once; a run that never ends (its process died) is dropped past this. */
const MAX_TRACKED_RUNS = 10_000;

interface RunTrack {
  plan: Plan | undefined;
  readonly agents: Map<string, string>;
  readonly spans: Map<string, { start: number; end?: number }>;
  /** Subtasks with a failed tool call: their failure is already counted as that call's error. */
  readonly toolFailed: Set<string>;
}

/**
 * Turns engine events into the business metrics: runs, subtasks, tool calls, model calls and
 * tokens, `agent_errors_total`, ambiguous steps, and the collaboration figures of each run.
 * Replayed steps are not counted again. Labels are names and outcomes, never run ids.
 */
export function engineMetricsListener(metrics: MetricsRegistry): EventListener {
  const runs = new Map<string, RunTrack>();
  const track = (runId: string): RunTrack => {
    let run = runs.get(runId);
    if (!run) {
      run = { plan: undefined, agents: new Map(), spans: new Map(), toolFailed: new Set() };
      runs.set(runId, run);
      if (runs.size > MAX_TRACKED_RUNS) runs.delete(runs.keys().next().value as string);
    }
    return run;
  };

  return (event: EngineEvent) => {
    switch (event.type) {
      case "run.started":
        track(event.runId);
        metrics.add("cs_agents_runs_in_progress", 1);
        return;
      case "plan.created":
        track(event.runId).plan = event.plan;
        if (!event.replayed) metrics.inc("cs_agents_plans_total", { planner: plannerOf(event.plan.source) });
        return;
      case "subtask.started": {
        const run = track(event.runId);
        run.agents.set(event.subtaskId, event.agent);
        run.spans.set(event.subtaskId, { start: event.at });
        return;
      }
      case "subtask.finished":
      case "subtask.failed": {
        if (event.type === "subtask.finished" && event.replayed) return;
        const run = track(event.runId);
        const agent = run.agents.get(event.subtaskId) ?? agentOf(run.plan, event.subtaskId);
        const outcome = event.type === "subtask.finished" ? "succeeded" : "failed";
        metrics.inc("cs_agents_subtasks_total", { agent, outcome });
        metrics.observe("cs_agents_subtask_duration_seconds", event.durationMs / 1_000, { agent, outcome });
        const span = run.spans.get(event.subtaskId);
        if (span) span.end = event.at;
        if (event.type === "subtask.failed" && !run.toolFailed.has(event.subtaskId)) {
          metrics.inc("agent_errors_total", { agent, tool: "none", code: event.error.code });
        }
        return;
      }
      case "tool.finished":
        if (event.replayed) return;
        metrics.inc("cs_agents_tool_calls_total", { tool: event.tool, outcome: "success" });
        metrics.observe("cs_agents_tool_call_duration_seconds", event.durationMs / 1_000, { tool: event.tool, outcome: "success" });
        metrics.inc("cs_agents_tool_retries_total", { tool: event.tool }, event.attempts - 1);
        return;
      case "tool.failed": {
        const run = track(event.runId);
        const outcome = toolOutcome(event.error.code);
        metrics.inc("cs_agents_tool_calls_total", { tool: event.tool, outcome });
        metrics.observe("cs_agents_tool_call_duration_seconds", event.durationMs / 1_000, { tool: event.tool, outcome });
        metrics.inc("cs_agents_tool_retries_total", { tool: event.tool }, event.attempts - 1);
        const agent = run.agents.get(event.subtaskId) ?? agentOf(run.plan, event.subtaskId);
        metrics.inc("agent_errors_total", { agent, tool: event.tool, code: event.error.code });
        run.toolFailed.add(event.subtaskId);
        return;
      }
      case "model.finished":
        if (event.replayed) return;
        metrics.inc("cs_agents_model_calls_total", { model: event.model, outcome: event.decision === "fail" ? "failed" : "ok" });
        if (event.usage) {
          metrics.inc("cs_agents_model_tokens_total", { model: event.model, kind: "input" }, event.usage.inputTokens);
          metrics.inc("cs_agents_model_tokens_total", { model: event.model, kind: "output" }, event.usage.outputTokens);
        }
        return;
      case "run.finished": {
        const run = runs.get(event.runId);
        runs.delete(event.runId);
        metrics.add("cs_agents_runs_in_progress", -1);
        if (event.status === "sleeping") {
          metrics.inc("cs_agents_run_sleeps_total");
          return;
        }
        if (event.status === "waiting_input") {
          metrics.inc("cs_agents_run_input_waits_total");
          return;
        }
        if (event.status === "waiting_approval") {
          if (event.error?.code === "STEP_AMBIGUOUS") metrics.inc("cs_agents_ambiguous_steps_total");
          return;
        }
        metrics.inc("cs_agents_runs_total", { outcome: event.status });
        metrics.observe("cs_agents_run_duration_seconds", event.durationMs / 1_000, { outcome: event.status });
        if (run?.plan) recordCollaboration(metrics, run.plan, run.spans);
        return;
      }
      default:
        return;
    }
  };
}

/** The planner kind from `plan.source` (`llm:<model>`, `llm:<model>+repair`, `template:<name>`): bounded. */
function plannerOf(source: string): string {
  if (source.startsWith("llm:")) return source.endsWith("+repair") ? "llm_repaired" : "llm";
  return source.startsWith("template:") ? "template" : "other";
}

/** Failures the tool never saw (refused, invalid, breaker open) are `rejected`. */
function toolOutcome(code: string): "timeout" | "rejected" | "error" {
  if (code === "TOOL_TIMEOUT") return "timeout";
  if (code === "TOOL_NOT_ALLOWED" || code === "TOOL_INPUT_INVALID" || code === "TOOL_CIRCUIT_OPEN" || code === "TOOL_NOT_FOUND" || code === "APPROVAL_DENIED") return "rejected";
  return "error";
}

function agentOf(plan: Plan | undefined, subtaskId: string): string {
  return plan?.subtasks.find((s) => s.id === subtaskId)?.agent ?? "unknown";
}

/**
 * The collaboration figures of a run whose subtasks ran in this process (replayed ones have no
 * span and are left out): critical path (the longest dependency chain of subtask durations),
 * wall time (first start to last end), busy time (sum of durations), and the most subtasks
 * running at one moment. Efficiency = critical path / wall: 1 when no time was lost waiting.
 */
function recordCollaboration(metrics: MetricsRegistry, plan: Plan, spans: ReadonlyMap<string, { start: number; end?: number }>): void {
  const done = [...spans.entries()].filter((e): e is [string, { start: number; end: number }] => e[1].end !== undefined);
  if (done.length === 0) return;
  const duration = new Map(done.map(([id, s]) => [id, Math.max(0, s.end - s.start)]));
  const longest = new Map<string, number>();
  const chain = (id: string): number => {
    const known = longest.get(id);
    if (known !== undefined) return known;
    const subtask = plan.subtasks.find((s) => s.id === id);
    const before = Math.max(0, ...(subtask?.dependsOn ?? []).map(chain));
    const total = before + (duration.get(id) ?? 0);
    longest.set(id, total);
    return total;
  };
  const critical = Math.max(...plan.subtasks.map((s) => chain(s.id)));
  const wall = Math.max(...done.map(([, s]) => s.end)) - Math.min(...done.map(([, s]) => s.start));
  const busy = [...duration.values()].reduce((a, b) => a + b, 0);
  metrics.inc("cs_agents_run_critical_path_seconds_total", {}, critical / 1_000);
  metrics.inc("cs_agents_run_wall_seconds_total", {}, wall / 1_000);
  metrics.inc("cs_agents_subtask_busy_seconds_total", {}, busy / 1_000);
  if (wall > 0) metrics.observe("cs_agents_run_collaboration_efficiency_ratio", Math.min(1, critical / wall));
  metrics.observe("cs_agents_run_parallel_subtasks", mostAtOnce(done.map(([, s]) => s)));
}

function mostAtOnce(spans: readonly { start: number; end: number }[]): number {
  const edges = spans.flatMap((s) => [
    { at: s.start, delta: 1 },
    { at: s.end, delta: -1 },
  ]);
  // Ends before starts at the same instant: back-to-back subtasks did not overlap.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let most = 0;
  for (const edge of edges) {
    now += edge.delta;
    most = Math.max(most, now);
  }
  return most;
}
