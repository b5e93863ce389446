import type { Run, Step } from "../core/index.js";
import { ChildRunPendingError, FINAL_RUN_STATUSES, JournalError, MAX_TASK_LENGTH, stepKeys } from "../core/index.js";
import { ToolError } from "../tools/index.js";
import type { ChildRunRequest, ChildRunResult } from "../tools/index.js";
import type { ChildStepRecord } from "./child-run.js";
import { childFailure, childTask, spentOf } from "./child-run.js";
import { numberedPerAttempt } from "./attempt-numbering.js";
import type { SubtaskScope } from "./run-subtask.js";

// `ctx.runChild`, answered from the journal as `ctx.ask` is. The first pass submits the child and
// records its id as `subtask/<id>/child/<n>` (`…/child/<n>.<k>` for its k-th), then stops the handler (its call is left
// unrecorded); the run waits in `waiting_children`. Once the child has finished, the handler is
// called again, the step takes the child's outcome, and the same `runChild` resolves with it.

/**
 * The `k`-th child run (from 0) the handler of call `n` started. A subtask with tools is never a
 * child-run subtask (`agent: "run"`), so the keys of the two never meet.
 */
export function callChildKey(subtaskId: string, n: number, k: number): string {
  return k === 0 ? stepKeys.child(subtaskId, n) : `${stepKeys.child(subtaskId, n)}.${k}`;
}

/** The child record of a finished step: the child's result, when it succeeded. */
interface FinishedChildRecord extends ChildStepRecord {
  readonly result?: { readonly output: unknown; readonly artifacts: ChildRunResult["artifacts"] };
}

export interface CallChildren {
  readonly runChild: (request: ChildRunRequest, attempt: number) => Promise<ChildRunResult>;
  /** The child the handler stopped at; undefined while it stopped at none. */
  stopped: ChildRunPendingError | undefined;
}

export function callChildren(scope: SubtaskScope, subtaskId: string, n: number): CallChildren {
  // Numbered per attempt: a retried handler starts its first child again (the same one).
  const nextChild = numberedPerAttempt();
  const finished = new Map<string, Step>();
  const calls: CallChildren = {
    stopped: undefined,
    runChild: async (request, attempt) => {
      const key = callChildKey(subtaskId, n, nextChild(attempt));
      checkRequest(request);
      const children = scope.children;
      if (!children) throw new ToolError("CHILD_RUNS_UNAVAILABLE", "runChild works only inside a run a worker executes; this run has no store to submit a child run to");
      const step = finished.get(key) ?? scope.recorded.get(key);
      if (step && step.status !== "started") return outcomeOf(step);
      if (step) {
        const childId = (step.output as ChildStepRecord).runId;
        const child = await children.get(childId);
        if (child && !FINAL_RUN_STATUSES.has(child.status)) throw stop(new ChildRunPendingError(key, childId));
        const done = finishedStep(step, childId, child, child ? spentOf(scope, await children.load(childId)) : { toolCalls: 0, tokens: 0 });
        await scope.journal.record(done);
        finished.set(key, done);
        if (scope.listening) scope.emit({ type: "child.finished", runId: scope.runId, at: Date.now(), subtaskId, stepKey: key, childRunId: childId, status: child?.status ?? "missing" });
        return outcomeOf(done);
      }
      if (scope.lease && !scope.lease.held()) throw new JournalError("LEASE_LOST", `the lease on run ${scope.runId} may have expired: the child run of ${key} was not submitted`);
      const task = childTask(scope, request.description, request.input, key);
      const child = await children.submit(task, { runId: scope.runId, subtask: subtaskId });
      if (child.parent?.runId !== scope.runId || child.parent.subtask !== subtaskId) {
        throw new ToolError("CHILD_RUN_FAILED", `the idempotency key ${task.idempotencyKey ?? ""} of ${key} is taken by run ${child.id}, which is not its child`);
      }
      const input = { description: task.description, ...(task.input ? { input: task.input } : {}) };
      await scope.journal.record({ runId: scope.runId, key, kind: "child", status: "started", input, output: { runId: child.id } satisfies ChildStepRecord, startedAt: new Date() });
      if (scope.listening) scope.emit({ type: "child.started", runId: scope.runId, at: Date.now(), subtaskId, stepKey: key, childRunId: child.id });
      throw stop(new ChildRunPendingError(key, child.id));
    },
  };
  const stop = (error: ChildRunPendingError): ChildRunPendingError => {
    calls.stopped ??= error;
    return error;
  };
  return calls;
}

/**
 * The first child of call `n` still unfinished: the handler is not called again until it has
 * finished. O(1) for calls that started no child.
 */
export async function pendingChildOfCall(scope: SubtaskScope, subtaskId: string, n: number): Promise<ChildRunPendingError | undefined> {
  for (let k = 0; ; k++) {
    const step = scope.recorded.get(callChildKey(subtaskId, n, k));
    if (!step) return undefined;
    if (step.status !== "started") continue;
    const childId = (step.output as ChildStepRecord).runId;
    const child = await scope.children?.get(childId);
    if (child && !FINAL_RUN_STATUSES.has(child.status)) return new ChildRunPendingError(step.key, childId);
  }
}

function finishedStep(step: Step, childId: string, child: Run | undefined, spent: ChildStepRecord["spent"]): Step {
  const finishedAt = new Date();
  if (child?.status === "succeeded") {
    const output: FinishedChildRecord = { runId: childId, status: child.status, ...(spent ? { spent } : {}), result: { output: child.result?.output, artifacts: child.result?.artifacts ?? [] } };
    return { ...step, status: "succeeded", output, finishedAt };
  }
  return { ...step, status: "failed", output: { runId: childId, status: child?.status ?? "missing", ...(spent ? { spent } : {}) } satisfies ChildStepRecord, error: childFailure(childId, child), finishedAt };
}

function outcomeOf(step: Step): ChildRunResult {
  const record = step.output as FinishedChildRecord;
  if (step.status !== "succeeded") throw new ToolError("CHILD_RUN_FAILED", step.error?.message ?? `child run ${record.runId} did not succeed`);
  return { runId: record.runId, output: record.result?.output, artifacts: record.result?.artifacts ?? [] };
}

function checkRequest(request: ChildRunRequest): void {
  const invalid = (what: string) => new ToolError("CHILD_RUN_INVALID", `ctx.runChild: ${what}`);
  if (typeof request !== "object" || request === null) throw invalid("expected an object { description, input? }");
  if (typeof request.description !== "string" || request.description.trim().length === 0 || request.description.length > MAX_TASK_LENGTH) throw invalid(`description must be text of 1 to ${MAX_TASK_LENGTH} characters`);
  if (request.input !== undefined && (typeof request.input !== "object" || request.input === null || Array.isArray(request.input))) throw invalid("input must be an object when given");
}
