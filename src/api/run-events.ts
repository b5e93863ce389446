import type { InputAnswerRecord, InputRequestRecord, Plan, Run, RunStatus, Step } from "../core/index.js";
import type { RunEvent, RunEventCandidate } from "../store/index.js";
import { approvalId } from "./run-view.js";

// A run may execute on any replica, so its events are derived from what the store shows —
// the journal (in first-record order) and the run's status — and given ids through the store's
// event log: whichever replica observes a change first names it, every reader sees the same ids.

/** The events the current state of the run implies, oldest first; keys identify them. */
export function deriveRunEvents(run: Run, steps: readonly Step[], lastStatus: { readonly status: RunStatus; readonly count: number } | undefined): RunEventCandidate[] {
  const candidates: RunEventCandidate[] = [];
  const subtasks = startedSubtasks(run, steps);
  const announced = new Set<string>();
  const announce = (subtaskId: string) => {
    const started = subtasks.get(subtaskId);
    if (!started || announced.has(subtaskId)) return;
    announced.add(subtaskId);
    candidates.push({ key: `subtask/${subtaskId}/started`, type: "subtask.started", data: { runId: run.id, subtaskId, agent: started.agent, startedAt: started.at.toISOString() } });
  };
  for (const step of steps) {
    const subtaskId = subtaskOf(step);
    if (subtaskId) announce(subtaskId);
    // Most calls are committed only once they finished, so their start is never seen on its
    // own; the start is told just before the end, under the key an observed start would have.
    if (step.kind === "tool_call" && (step.status === "succeeded" || step.status === "failed")) {
      const start: Step = { runId: step.runId, key: step.key, kind: step.kind, status: "started", input: step.input, startedAt: step.startedAt };
      candidates.push({ key: stepEventKey(step, "started"), type: "tool.started", data: stepEventData(run.id, start) });
    }
    // A step retried after a decision is recorded anew with a new start time: a new event.
    candidates.push({ key: stepEventKey(step, step.status), type: stepEventType(step), data: stepEventData(run.id, step) });
    // A subtask whose dependencies are now all done is started by the engine at once.
    if (step.key === "plan" || (step.kind === "subtask" && step.status === "succeeded")) {
      for (const id of subtasks.keys()) announce(id);
    }
  }
  if (lastStatus?.status !== run.status) {
    const count = (lastStatus?.count ?? 0) + 1;
    candidates.push({
      key: `run/${count}`,
      type: `run.${run.status}`,
      data: { runId: run.id, status: run.status, at: run.updatedAt.toISOString(), ...(run.error ? { error: { code: run.error.code, message: run.error.message } } : {}) },
    });
  }
  return candidates;
}

/** Folds events read from the log into the last run status they name and how many there were. */
export function lastRunStatus(events: readonly RunEvent[], previous: { status: RunStatus; count: number } | undefined): { status: RunStatus; count: number } | undefined {
  let last = previous;
  for (const event of events) {
    if (event.type.startsWith("run.")) last = { status: event.data.status as RunStatus, count: (last?.count ?? 0) + 1 };
  }
  return last;
}

function stepEventKey(step: Step, status: Step["status"]): string {
  return `step/${step.key}/${step.startedAt.getTime()}/${status}`;
}

function subtaskOf(step: Step): string | undefined {
  return /^subtask\/([^/]+)\//.exec(step.key)?.[1];
}

/**
 * The subtasks the engine has started, by id, with their agent and start time: those with a
 * recorded step, and — while the run goes on and nothing failed — those whose dependencies all
 * succeeded (the engine starts a ready subtask at once, up to its concurrency).
 */
function startedSubtasks(run: Run, steps: readonly Step[]): Map<string, { agent: string; at: Date }> {
  const planStep = steps.find((step) => step.key === "plan" && step.status === "succeeded");
  const plan = (planStep?.output as Plan | undefined) ?? run.plan;
  const started = new Map<string, { agent: string; at: Date }>();
  if (!plan || !planStep) return started;
  const done = new Map<string, Step>();
  const first = new Map<string, Step>();
  for (const step of steps) {
    const id = subtaskOf(step);
    if (!id) continue;
    if (!first.has(id)) first.set(id, step);
    if (step.kind === "subtask") done.set(id, step);
  }
  const failed = [...done.values()].some((step) => step.status === "failed");
  const going = run.status === "running" && !failed;
  for (const subtask of plan.subtasks) {
    const own = done.get(subtask.id) ?? first.get(subtask.id);
    const deps = subtask.dependsOn.map((id) => done.get(id));
    const ready = deps.every((step) => step?.status === "succeeded");
    if (own) started.set(subtask.id, { agent: subtask.agent, at: own.startedAt });
    else if (going && ready) {
      const at = Math.max(planStep.finishedAt?.getTime() ?? planStep.startedAt.getTime(), ...deps.map((step) => step?.finishedAt?.getTime() ?? 0));
      started.set(subtask.id, { agent: subtask.agent, at: new Date(at) });
    }
  }
  return started;
}

function stepEventType(step: Step): string {
  const noun = { plan: "plan", tool_call: "tool", model_call: "model", approval: "approval", subtask: "subtask", sleep: "timer", input: "input", child: "child" }[step.kind] ?? "step";
  // A question asked (`ctx.ask`) is `input.requested` while open, `input.answered` once it has an answer.
  if (step.kind === "input") return step.status === "succeeded" ? "input.answered" : "input.requested";
  // A child run's step is `child.started` while the child runs, `child.finished` once its outcome is read.
  if (step.kind === "child") return step.status === "started" ? "child.started" : "child.finished";
  if (step.kind === "approval") return { started: "approval.requested", ambiguous: "approval.requested", succeeded: "approval.approved", failed: "approval.denied" }[step.status];
  if (step.kind === "plan" && step.status === "succeeded") return "plan.created";
  return `${noun}.${{ started: "started", ambiguous: "ambiguous", succeeded: "finished", failed: "failed" }[step.status]}`;
}

function stepEventData(runId: string, step: Step): Record<string, unknown> {
  const subtaskId = subtaskOf(step);
  const tool = (step.input as { tool?: unknown } | undefined)?.tool;
  return {
    runId,
    stepKey: step.key,
    kind: step.kind,
    status: step.status,
    ...(subtaskId ? { subtaskId } : {}),
    ...(typeof tool === "string" ? { tool } : {}),
    startedAt: step.startedAt.toISOString(),
    ...(step.finishedAt ? { finishedAt: step.finishedAt.toISOString(), durationMs: step.finishedAt.getTime() - step.startedAt.getTime() } : {}),
    ...(step.attempts !== undefined ? { attempts: step.attempts } : {}),
    ...(step.error ? { error: step.error } : {}),
    ...(step.status === "ambiguous" ? { approvalId: approvalId(runId, step.key) } : {}),
    ...(step.kind === "input" ? inputEventData(step) : {}),
    ...(step.kind === "child" ? childEventData(step) : {}),
  };
}

/** The child run's id, and once it finished, its final status. */
function childEventData(step: Step): Record<string, unknown> {
  const output = step.output as { runId?: unknown; status?: unknown } | undefined;
  return { childRunId: output?.runId, ...(typeof output?.status === "string" ? { childStatus: output.status } : {}) };
}

/** A question's text (and when its default is taken), or who answered it. */
function inputEventData(step: Step): Record<string, unknown> {
  if (step.status === "succeeded") return { by: (step.output as InputAnswerRecord | undefined)?.by ?? "person" };
  const input = step.input as InputRequestRecord | undefined;
  return { question: input?.question, ...(input?.expiresAt ? { expiresAt: input.expiresAt } : {}) };
}
