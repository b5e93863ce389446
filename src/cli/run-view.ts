import type { Run, Step, SubtaskStatus } from "../core/index.js";
import { FINAL_RUN_STATUSES, stepKeys, subtaskTiming } from "../core/index.js";

export interface SubtaskView {
  readonly id: string;
  readonly title: string;
  readonly agent: string;
  readonly dependsOn: readonly string[];
  readonly status: SubtaskStatus;
  readonly calls: number;
  /** Time spent executing, without the time the run was stopped between an interruption and its resume. */
  readonly durationMs?: number;
  /** First recorded step to the end, downtime included; differs from `durationMs` after a resume. */
  readonly wallMs?: number;
  readonly resumed?: boolean;
  readonly error?: { code: string; message: string };
}

/** A subtask's status as its journal shows it. */
export function subtaskViews(run: Run, steps: readonly Step[]): SubtaskView[] {
  const byKey = new Map(steps.map((s) => [s.key, s]));
  return (run.plan?.subtasks ?? []).map((subtask) => {
    const done = byKey.get(stepKeys.subtaskDone(subtask.id));
    const calls = steps.filter((s) => s.key.startsWith(`subtask/${subtask.id}/call/`));
    const timing = subtaskTiming(subtask.id, steps);
    const status: SubtaskStatus = done
      ? done.status === "succeeded"
        ? "succeeded"
        : "failed"
      : calls.length > 0
        ? FINAL_RUN_STATUSES.has(run.status) ? "cancelled" : "running"
        : FINAL_RUN_STATUSES.has(run.status) ? "cancelled" : "pending";
    return {
      id: subtask.id,
      title: subtask.title,
      agent: subtask.agent,
      dependsOn: subtask.dependsOn,
      status,
      calls: calls.length,
      ...(timing ? { durationMs: timing.executingMs, wallMs: timing.wallMs, resumed: timing.resumed } : {}),
      ...(done?.error ? { error: done.error } : {}),
    };
  });
}

/** Steps that wait for a person's decision. */
export function ambiguousSteps(steps: readonly Step[]): Step[] {
  return steps.filter((s) => s.status === "ambiguous");
}
