import type { Step } from "./run.js";
import { stepKeys } from "./run.js";

/** How long a finished subtask took, from its journal. */
export interface SubtaskTiming {
  /** Time spent executing: the process that finished it, plus calls recorded by earlier processes. */
  readonly executingMs: number;
  /** From its first recorded step to its end, including any time the run was stopped. */
  readonly wallMs: number;
  /** Whether part of its work was recorded by a process before the one that finished it. */
  readonly resumed: boolean;
}

/**
 * A resumed subtask's wall time includes the downtime between the interruption and the resume;
 * its executing time does not. The `done` step spans the last process's work (it starts when that
 * process began the subtask); calls and model turns recorded before that were earlier processes'
 * work. Approvals are left out: waiting for a person is not executing. Overlaps count once.
 */
export function subtaskTiming(subtaskId: string, steps: readonly Step[]): SubtaskTiming | undefined {
  const done = steps.find((s) => s.key === stepKeys.subtaskDone(subtaskId));
  if (!done?.finishedAt) return undefined;
  const prefix = `subtask/${subtaskId}/`;
  const own = steps.filter((s) => s.key.startsWith(prefix));
  const earlier = own.filter(
    (s) => (s.kind === "tool_call" || s.kind === "model_call") && s.finishedAt !== undefined && s.startedAt < done.startedAt,
  );
  const intervals: [number, number][] = [
    [done.startedAt.getTime(), done.finishedAt.getTime()],
    ...earlier.map((s): [number, number] => [s.startedAt.getTime(), Math.min(s.finishedAt?.getTime() ?? 0, done.startedAt.getTime())]),
  ];
  const first = Math.min(...own.map((s) => s.startedAt.getTime()));
  return { executingMs: unionLength(intervals), wallMs: done.finishedAt.getTime() - first, resumed: earlier.length > 0 };
}

function unionLength(intervals: readonly [number, number][]): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}
