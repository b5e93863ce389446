import type { SubtaskOutcome } from "../agents/index.js";
import type { BudgetLeft, ErrorInfo, Run, RunParent, Step, Subtask, Task } from "../core/index.js";
import { ChildRunPendingError, FINAL_RUN_STATUSES, journalSpend, JournalError, stepKeys } from "../core/index.js";
import { recordSteps } from "./journal.js";
import type { SubtaskScope } from "./run-subtask.js";

// A subtask with `agent: "run"` is carried out by a run of its own (a child run). The first pass
// submits the child (idempotent: the key is derived from the parent's id and the step key) and
// records its id as `subtask/<id>/child/0`; the parent then waits in `waiting_children`, holding
// no lease, until the child's final status queues it again. On replay the child's outcome is
// read: succeeded, its result is the subtask's; failed or cancelled, the subtask fails with
// CHILD_RUN_FAILED naming the child.

/** Where child runs are submitted and read: a worker's store. */
export interface ChildRuns {
  /**
   * Submits the child run, or finds the one submitted before with the same idempotency key (a
   * pass that died before it recorded the child's id); resolves with that run.
   */
  submit(task: Task, parent: RunParent): Promise<Run>;
  get(runId: string): Promise<Run | undefined>;
  /** The child's journal, for what it spent (tool calls, model tokens): it counts toward the parent's budget. */
  load(runId: string): Promise<readonly Step[]>;
}

/** What a child run spent, as recorded on its parent's `child` step (its own children included). */
export interface ChildSpent {
  readonly toolCalls: number;
  readonly tokens: number;
  /** At the configured prices; absent when no accounting priced it. */
  readonly cost?: number;
}

/**
 * The run budget's side of child runs, given by the accounting that wraps the engine (the engine
 * knows no budgets or prices): what a child submitted now may spend, and what a finished one spent.
 */
export interface ChildBudgeting {
  /** What remains of this run's budget now; undefined when it has none. */
  left(): BudgetLeft | undefined;
  /**
   * What a finished child's journal spent (its own children included), cost priced; counted
   * toward this run's budget at once (it is called once per child, as its step is finished).
   */
  childFinished(steps: readonly Step[]): ChildSpent;
}

/** What the `child` step records: the child's id, then its final status and spend. */
export interface ChildStepRecord {
  readonly runId: string;
  readonly status?: string;
  readonly spent?: ChildSpent;
}

/** The idempotency key of a subtask's child run: the same on every pass, and unique per parent step. */
export function childIdempotencyKey(parentRunId: string, stepKey: string): string {
  return `child:${parentRunId}:${stepKey}`;
}

export async function runChildSubtask(scope: SubtaskScope, subtask: Subtask): Promise<SubtaskOutcome> {
  const key = stepKeys.child(subtask.id, 0);
  const children = scope.children;
  if (!children) return failed({ code: "CHILD_RUNS_UNAVAILABLE", message: `subtask "${subtask.id}" is a child run, but this engine runs without a store to submit it to (use a worker)` });
  const recorded = scope.recorded.get(key);
  if (!recorded) {
    if (scope.lease && !scope.lease.held()) throw new JournalError("LEASE_LOST", `the lease on run ${scope.runId} may have expired: the child run of ${key} was not submitted`);
    const task = childTask(scope, String(subtask.input["description"]), subtask.input["input"] as Record<string, unknown> | undefined, key);
    const startedAt = new Date();
    const child = await children.submit(task, { runId: scope.runId, subtask: subtask.id });
    // A run that holds the key but is not this subtask's child (someone submitted it with that
    // key by hand) would never wake this run: refuse it rather than wait forever.
    if (child.parent?.runId !== scope.runId || child.parent.subtask !== subtask.id) {
      return failed({ code: "CHILD_RUN_FAILED", message: `the idempotency key ${task.idempotencyKey ?? ""} of subtask "${subtask.id}"'s child run is taken by run ${child.id}, which is not its child` });
    }
    const childId = child.id;
    const input = { description: task.description, ...(task.input ? { input: task.input } : {}) };
    await scope.journal.record({ runId: scope.runId, key, kind: "child", status: "started", input, output: { runId: childId } satisfies ChildStepRecord, startedAt });
    if (scope.listening) scope.emit({ type: "child.started", runId: scope.runId, at: Date.now(), subtaskId: subtask.id, stepKey: key, childRunId: childId });
    throw new ChildRunPendingError(key, childId);
  }
  const childId = (recorded.output as ChildStepRecord).runId;
  const child = await children.get(childId);
  if (child && !FINAL_RUN_STATUSES.has(child.status)) throw new ChildRunPendingError(key, childId);
  const spent = child ? spentOf(scope, await children.load(childId)) : { toolCalls: 0, tokens: 0 };
  const outcome: SubtaskOutcome =
    child?.status === "succeeded"
      ? { status: "succeeded", output: child.result?.output, artifacts: child.result?.artifacts ?? [], calls: 0 }
      : failed(childFailure(childId, child));
  const finishedAt = new Date();
  const status = child?.status ?? "missing";
  const childStep: Step = { ...recorded, status: outcome.status === "succeeded" ? "succeeded" : "failed", output: { runId: childId, status, spent } satisfies ChildStepRecord, ...(outcome.status === "failed" ? { error: outcome.error } : {}), finishedAt };
  const done: Step =
    outcome.status === "succeeded"
      ? { runId: scope.runId, key: stepKeys.subtaskDone(subtask.id), kind: "subtask", startedAt: recorded.startedAt, finishedAt, status: "succeeded", output: { output: outcome.output, artifacts: outcome.artifacts } }
      : { runId: scope.runId, key: stepKeys.subtaskDone(subtask.id), kind: "subtask", startedAt: recorded.startedAt, finishedAt, status: "failed", error: outcome.error };
  await recordSteps(scope.journal, [childStep, done]);
  if (scope.listening) scope.emit({ type: "child.finished", runId: scope.runId, at: Date.now(), subtaskId: subtask.id, stepKey: key, childRunId: childId, status });
  return outcome;
}

/**
 * A child's task: `{ description, input? }`, in the parent's tenant, at the parent's priority,
 * with what remains of the parent's budget now: stored with the child, so the accounting of
 * whichever worker runs it (after a restart too) reads it there.
 */
export function childTask(scope: SubtaskScope, description: string, input: Record<string, unknown> | undefined, key: string): Task {
  const budgetLeft = scope.budgeting?.left();
  return {
    description,
    ...(input ? { input } : {}),
    ...(scope.tenant ? { tenant: scope.tenant } : {}),
    ...(scope.priority === undefined ? {} : { priority: scope.priority }),
    idempotencyKey: childIdempotencyKey(scope.runId, key),
    ...(budgetLeft ? { budgetLeft } : {}),
  };
}

/** What a finished child spent: priced by the accounting when there is one. */
export function spentOf(scope: SubtaskScope, steps: readonly Step[]): ChildSpent {
  return scope.budgeting ? scope.budgeting.childFinished(steps) : spentBy(steps);
}

export function childFailure(childId: string, child: Run | undefined): ErrorInfo {
  if (!child) return { code: "CHILD_RUN_FAILED", message: `child run ${childId} is gone (pruned?); its outcome cannot be read` };
  const why = child.error ? `${child.error.code}: ${child.error.message}` : "no error recorded";
  return { code: "CHILD_RUN_FAILED", message: `child run ${childId} ${child.status} (${why})` };
}

function failed(error: ErrorInfo): SubtaskOutcome {
  return { status: "failed", error, calls: 0 };
}

/** What a child's journal spent, unpriced (no accounting wraps this engine). */
export function spentBy(steps: readonly Step[]): ChildSpent {
  const spent = journalSpend(steps);
  return { toolCalls: spent.toolCalls, tokens: spent.tokens.totalTokens, ...(spent.cost > 0 ? { cost: spent.cost } : {}) };
}
