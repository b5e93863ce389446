import type { Run, RunStatus, Step } from "../core/index.js";
import type { RunEvent, RunEventCandidate } from "../store/index.js";
import { approvalId } from "./run-view.js";

// A run may execute on any replica, so its events are derived from what the store shows —
// the journal (in first-record order) and the run's status — and given ids through the store's
// event log: whichever replica observes a change first names it, every reader sees the same ids.

/** The events the current state of the run implies, oldest first; keys identify them. */
export function deriveRunEvents(run: Run, steps: readonly Step[], lastStatus: { readonly status: RunStatus; readonly count: number } | undefined): RunEventCandidate[] {
  const candidates: RunEventCandidate[] = steps.map((step) => ({
    // A step retried after a decision is recorded anew with a new start time: a new event.
    key: `step/${step.key}/${step.startedAt.getTime()}/${step.status}`,
    type: stepEventType(step),
    data: stepEventData(run.id, step),
  }));
  if (lastStatus?.status !== run.status) {
    const count = (lastStatus?.count ?? 0) + 1;
    candidates.push({
      key: `run/${count}`,
      type: `run.${run.status}`,
      data: { runId: run.id, status: run.status, at: run.updatedAt.toISOString(), ...(run.error ? { error: run.error } : {}) },
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


function stepEventType(step: Step): string {
  const noun = { plan: "plan", tool_call: "tool", model_call: "model", approval: "approval", subtask: "subtask" }[step.kind] ?? "step";
  if (step.kind === "approval") return { started: "approval.requested", ambiguous: "approval.requested", succeeded: "approval.approved", failed: "approval.denied" }[step.status];
  if (step.kind === "plan" && step.status === "succeeded") return "plan.created";
  return `${noun}.${{ started: "started", ambiguous: "ambiguous", succeeded: "finished", failed: "failed" }[step.status]}`;
}

function stepEventData(runId: string, step: Step): Record<string, unknown> {
  const subtaskId = /^subtask\/([^/]+)\//.exec(step.key)?.[1];
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
  };
}
