import type { Agent, AgentModel, Decision, SubtaskOutcome } from "../agents/index.js";
import { carryOut } from "../agents/index.js";
import type { Artifact, Language, Step, Subtask, SubtaskResult } from "../core/index.js";
import { AmbiguousStepError, ApprovalRequiredError, CancelledError, type ChildRunPendingError, canonicalHash, JournalError, SleepRequiredError, stepKeys } from "../core/index.js";
import type { CallContext, ToolCallRequest, ToolCallResult, ToolRegistry } from "../tools/index.js";
import type { EventListener } from "./events.js";
import type { Journal } from "./journal.js";
import { recordSteps } from "./journal.js";
import { callQuestions, openQuestionOfCall } from "./ask-input.js";
import { callChildren, pendingChildOfCall } from "./child-call.js";
import type { AuditDraft, AuditSink } from "../store/index.js";
import type { ChildBudgeting, ChildRuns } from "./child-run.js";

/** The executor as the engine needs it. `ToolExecutor` has this shape. */
export interface ToolRunner {
  run(request: ToolCallRequest, context?: CallContext): Promise<ToolCallResult>;
}

/**
 * The lease a run is executed under (a worker's). Tools get its epoch in their fencing token,
 * and no call starts once `held` says the lease may be gone.
 */
export interface RunLease {
  readonly epoch: number;
  /** False once the lease may have been lost (its local deadline passed): start nothing more. */
  held(): boolean;
}

export interface SubtaskScope {
  readonly runId: string;
  readonly tenant: string | undefined;
  readonly language: Language;
  readonly journal: Journal;
  /** The run's steps as loaded at the start, by key: what replay reads. */
  readonly recorded: ReadonlyMap<string, Step>;
  readonly tools: ToolRegistry;
  readonly executor: ToolRunner;
  readonly model: AgentModel;
  readonly emit: EventListener;
  /** False when nobody listens: events are then not even built. */
  readonly listening: boolean;
  readonly signal: AbortSignal;
  /** The run's own signal, undefined when nothing can abort it: tools then get no listener to hang. */
  readonly toolSignal: AbortSignal | undefined;
  readonly audit: AuditSink | undefined;
  readonly lease: RunLease | undefined;
  /** Where subtasks with `agent: "run"` submit their child runs; undefined: they fail. */
  readonly children: ChildRuns | undefined;
  /** The run's own priority, given to its children. */
  readonly priority: number | undefined;
  /** The run budget's side of child runs; undefined: no accounting (children get no remainder). */
  readonly budgeting: ChildBudgeting | undefined;
}

/** A subtask's recorded outcome, read back on replay instead of running it again. */
export function recordedOutcome(step: Step | undefined): SubtaskOutcome | undefined {
  if (!step) return undefined;
  if (step.status === "succeeded") {
    const { output, artifacts } = step.output as { output: unknown; artifacts: Artifact[] };
    return { status: "succeeded", output, artifacts, calls: 0 };
  }
  if (step.status === "failed" && step.error) return { status: "failed", error: step.error, calls: 0 };
  return undefined;
}

/**
 * Runs one subtask's agent with every tool call journaled; records the subtask's outcome, or,
 * with `closing`, leaves its closing steps there for the caller to commit.
 */
export async function runSubtask(
  scope: SubtaskScope,
  subtask: Subtask,
  agent: Agent,
  dependencies: Readonly<Record<string, SubtaskResult>>,
  closing?: Step[],
): Promise<SubtaskOutcome> {
  const startedAt = new Date();
  const deferred: Deferred = { step: undefined };
  let outcome: SubtaskOutcome;
  try {
    outcome = await carryOut({
      agent,
      subtask,
      language: scope.language,
      dependencies,
      model: scope.model.deterministic ? scope.model : journaledModel(scope, subtask.id),
      signal: scope.signal,
      callTool: (tool, input, n) => journaledCall(scope, subtask.id, { tool, input }, n, deferred),
      onRefused: (tool, input) => audit(scope, "tool.refused", "system", { subtask: subtask.id, agent: agent.name, tool, input }),
    });
  } catch (error) {
    // Whatever stopped the subtask, a call that finished is still recorded.
    await flush(scope, deferred);
    throw error;
  }
  if (outcome.status === "failed" && scope.signal.aborted) {
    await flush(scope, deferred);
    throw new CancelledError();
  }
  const key = stepKeys.subtaskDone(subtask.id);
  const finishedAt = new Date();
  const done: Step =
    outcome.status === "succeeded"
      ? { runId: scope.runId, key, kind: "subtask", startedAt, finishedAt, status: "succeeded", output: { output: outcome.output, artifacts: outcome.artifacts } }
      : { runId: scope.runId, key, kind: "subtask", startedAt, finishedAt, status: "failed", error: outcome.error };
  const steps = deferred.step ? [deferred.step, done] : [done];
  if (closing) closing.push(...steps);
  else await recordSteps(scope.journal, steps);
  return outcome;
}

/**
 * A tool call's step not yet committed. Only an idempotent, non-sensitive call decided by a
 * deterministic model is deferred: nothing outside the engine has acted on its result, and
 * if the process dies first, replay decides the same call and makes it again. It is committed
 * with the next step of the subtask (usually its `done`), before any further call starts.
 */
interface Deferred {
  step: Step | undefined;
}

async function flush(scope: SubtaskScope, deferred: Deferred): Promise<void> {
  const step = deferred.step;
  if (!step) return;
  deferred.step = undefined;
  await scope.journal.record(step);
}

async function journaledCall(
  scope: SubtaskScope,
  subtaskId: string,
  call: { tool: string; input: Record<string, unknown> },
  n: number,
  deferred: Deferred,
): Promise<ToolCallResult> {
  if (deferred.step) await flush(scope, deferred);
  const stepKey = stepKeys.call(subtaskId, n);
  const previous = scope.recorded.get(stepKey);
  // An intent marked `waitingFor` is from a pass whose handler stopped at a question: it
  // returned, nothing is unknown, and the handler is called again once the question has an answer.
  const stoppedAtQuestion = previous?.status === "started" && (previous.input as { waitingFor?: unknown } | undefined)?.waitingFor !== undefined;
  if ((previous?.status === "started" && !stoppedAtQuestion) || previous?.status === "ambiguous") {
    // Only tools that may not run twice leave a `started` intent; finding one means the
    // worker died mid-call.
    if (previous.status === "started") await scope.journal.record({ ...previous, status: "ambiguous" });
    throw new AmbiguousStepError(stepKey, call.tool);
  }
  const replayed = replayCall(previous, call.tool);
  // Built only for a listener, as every event.
  const common = scope.listening ? { runId: scope.runId, subtaskId, tool: call.tool, stepKey } : undefined;
  if (replayed) {
    if (replayed.status === "success" && common) {
      scope.emit({ type: "tool.finished", ...common, at: Date.now(), durationMs: 0, attempts: replayed.attempts, replayed: true });
    }
    await timerDue(scope, stepKeys.sleep(subtaskId, n));
    return replayed;
  }
  const tool = scope.tools.has(call.tool) ? scope.tools.get(call.tool) : undefined;
  if (tool?.sensitive) {
    const denied = await approvalGate(scope, stepKeys.approval(subtaskId, n), call);
    if (denied) {
      await scope.journal.record({ runId: scope.runId, key: stepKey, kind: "tool_call", status: "failed", input: call, error: denied.error, attempts: 0, startedAt: new Date(), finishedAt: new Date() });
      return denied;
    }
  }
  const open = openQuestionOfCall(scope, subtaskId, n) ?? (await pendingChildOfCall(scope, subtaskId, n));
  if (open) throw open;
  assertLeaseHeld(scope, call.tool, stepKey);
  const startedAt = new Date();
  if (common) scope.emit({ type: "tool.started", ...common, at: startedAt.getTime() });
  if (tool && !tool.idempotent) {
    // A tool that may not run twice leaves an intent first, so recovery can tell "never
    // called" from "called, outcome unknown".
    await scope.journal.record({ runId: scope.runId, key: stepKey, kind: "tool_call", startedAt, status: "started", input: call });
    // The intent's commit may have been held up for longer than the lease lasts.
    assertLeaseHeld(scope, call.tool, stepKey);
  }
  let wakeAt: number | undefined;
  const questions = callQuestions(scope, subtaskId, n, call.tool, (answered) => recordAnswer(scope, answered));
  const children = callChildren(scope, subtaskId, n);
  const context = { ...callContext(scope, stepKey), sleepUntil: (at: number) => void (wakeAt = at), ask: questions.ask, runChild: children.runChild };
  const result = await scope.executor.run(call, context);
  // A call cut short by cancellation is no outcome of the tool: leave it unrecorded, so a
  // resume makes it again (idempotent) or finds its intent and asks a person (not idempotent).
  if (result.status === "failed" && scope.signal.aborted) throw new CancelledError();
  if (questions.stopped) await waitForAnswer(scope, questions.stopped, tool?.idempotent === false ? { key: stepKey, call, startedAt } : undefined);
  if (children.stopped) await waitForChild(scope, children.stopped, tool?.idempotent === false ? { key: stepKey, call, startedAt } : undefined);
  const finishedAt = new Date();
  const step: Step =
    result.status === "success"
      ? { runId: scope.runId, key: stepKey, kind: "tool_call", startedAt, finishedAt, status: "succeeded", input: call, output: result.output, attempts: result.attempts }
      : { runId: scope.runId, key: stepKey, kind: "tool_call", startedAt, finishedAt, status: "failed", input: call, error: result.error, attempts: result.attempts };
  if (tool?.sensitive) {
    await recordAudited(scope, step, "tool.sensitive_call", "system", { stepKey, tool: call.tool, input: call.input, status: result.status, ...(result.status === "failed" ? { error: result.error } : {}) });
  } else if (wakeAt === undefined && scope.model.deterministic && tool?.idempotent) deferred.step = step;
  else if (wakeAt === undefined || result.status !== "success") await scope.journal.record(step);
  if (wakeAt !== undefined && result.status === "success") {
    // The due time is recorded once, with the call's result: a replay finds both and neither
    // calls the tool again nor restarts the timer.
    const timerKey = stepKeys.sleep(subtaskId, n);
    const timer: Step = { runId: scope.runId, key: timerKey, kind: "sleep", status: "started", input: { tool: call.tool }, output: { wakeAt: new Date(wakeAt).toISOString() }, startedAt: finishedAt };
    await recordSteps(scope.journal, tool?.sensitive ? [timer] : [step, timer]);
    if (scope.listening) scope.emit({ type: "run.sleeping", runId: scope.runId, at: Date.now(), stepKey: timerKey, wakeAt });
    throw new SleepRequiredError(timerKey, wakeAt);
  }
  if (!common) return result;
  const at = Date.now();
  if (result.status === "success") {
    scope.emit({ type: "tool.finished", ...common, at, durationMs: result.durationMs, attempts: result.attempts, replayed: false });
  } else {
    scope.emit({ type: "tool.failed", ...common, at, durationMs: result.durationMs, attempts: result.attempts, error: result.error });
  }
  return result;
}

/**
 * The handler stopped at a question: its call stays unrecorded; the question's step (when new)
 * is recorded, with the intent of a tool that may not run twice marked as stopped at it, in
 * one commit. Then the run waits for the answer.
 */
async function waitForAnswer(
  scope: SubtaskScope,
  stopped: NonNullable<ReturnType<typeof callQuestions>["stopped"]>,
  intent: { key: string; call: { tool: string; input: Record<string, unknown> }; startedAt: Date } | undefined,
): Promise<never> {
  const steps: Step[] = [];
  if (intent) steps.push({ runId: scope.runId, key: intent.key, kind: "tool_call", status: "started", input: { ...intent.call, waitingFor: stopped.step.key }, startedAt: intent.startedAt });
  if (!stopped.recorded) steps.push(stopped.step);
  if (steps.length > 0) await recordSteps(scope.journal, steps);
  if (scope.listening) {
    const expiresAt = stopped.error.expiresAt;
    const question = String((stopped.step.input as { question?: unknown } | undefined)?.question);
    scope.emit({ type: "run.waiting_input", runId: scope.runId, at: Date.now(), stepKey: stopped.step.key, question, ...(expiresAt === undefined ? {} : { expiresAt }) });
  }
  throw stopped.error;
}

/**
 * The handler stopped at a child run (`ctx.runChild`): its call stays unrecorded, the intent of a
 * tool that may not run twice is marked as stopped at the child, and the run waits for it.
 */
async function waitForChild(scope: SubtaskScope, stopped: ChildRunPendingError, intent: { key: string; call: { tool: string; input: Record<string, unknown> }; startedAt: Date } | undefined): Promise<never> {
  if (intent) await scope.journal.record({ runId: scope.runId, key: intent.key, kind: "tool_call", status: "started", input: { ...intent.call, waitingFor: stopped.stepKey }, startedAt: intent.startedAt });
  throw stopped;
}

/** A default answer taken after its timeout, journaled with its audit entry. */
function recordAnswer(scope: SubtaskScope, step: Step): Promise<void> {
  const tool = (step.input as { tool?: unknown } | undefined)?.tool;
  return recordAudited(scope, step, "input.answered", "timeout", { stepKey: step.key, tool, by: "timeout", answer: (step.output as { answer?: unknown } | undefined)?.answer });
}

/**
 * A timer recorded after call `n`: still ahead, the run sleeps again (woken early, by
 * `cs-agents resume` say); due, it is closed and the agent goes on with the call's result.
 */
async function timerDue(scope: SubtaskScope, key: string): Promise<void> {
  const timer = scope.recorded.get(key);
  if (!timer || timer.status === "succeeded") return;
  const wakeAt = Date.parse(String((timer.output as { wakeAt?: unknown } | undefined)?.wakeAt));
  if (Number.isFinite(wakeAt) && wakeAt > Date.now()) throw new SleepRequiredError(key, wakeAt);
  await scope.journal.record({ ...timer, status: "succeeded", finishedAt: new Date() });
  if (scope.listening) scope.emit({ type: "run.woke", runId: scope.runId, at: Date.now(), stepKey: key });
}

/**
 * Holds a sensitive call until a person approved these exact arguments. The request is an
 * `ambiguous` approval step (settled with `decide`: done → approved, fail → denied), bound to
 * the tool and a hash of its arguments. Resolves undefined when approved, a failed result
 * when denied; throws ApprovalRequiredError while no decision exists.
 */
async function approvalGate(
  scope: SubtaskScope,
  key: string,
  call: { tool: string; input: Record<string, unknown> },
): Promise<Extract<ToolCallResult, { status: "failed" }> | undefined> {
  const argsHash = canonicalHash({ tool: call.tool, input: call.input });
  const step = scope.recorded.get(key);
  if (!step) {
    await scope.journal.record({ runId: scope.runId, key, kind: "approval", status: "ambiguous", input: { tool: call.tool, input: call.input, argsHash }, startedAt: new Date() });
    throw new ApprovalRequiredError(key, call.tool);
  }
  if (step.status === "ambiguous" || step.status === "started") throw new ApprovalRequiredError(key, call.tool);
  const approvedHash = (step.input as { argsHash?: unknown } | undefined)?.argsHash;
  const approved = step.status === "succeeded" && (step.output as { approved?: unknown } | undefined)?.approved === true;
  if (approved && approvedHash === argsHash) return undefined;
  const error = approved
    ? { code: "APPROVAL_MISMATCH", message: `the approval of ${key} was given for other arguments of ${call.tool}` }
    : { code: "APPROVAL_DENIED", message: `a person denied ${call.tool} (${key})${step.error ? `: ${step.error.message}` : ""}` };
  return { status: "failed", error, attempts: 0, durationMs: 0 };
}

/**
 * A model whose decisions are journaled: on replay the recorded decision is returned and the
 * model is not asked again, so a resumed run takes the same path without new model calls.
 */
function journaledModel(scope: SubtaskScope, subtaskId: string): AgentModel {
  let turn = 0;
  return {
    name: scope.model.name,
    deterministic: false,
    async decide(context) {
      const key = stepKeys.modelTurn(subtaskId, turn++);
      const common = { runId: scope.runId, subtaskId, agent: context.agent.name, model: scope.model.name, stepKey: key };
      const recorded = scope.recorded.get(key);
      if (recorded?.status === "succeeded") {
        const decision = recorded.output as Decision;
        scope.emit({ type: "model.finished", ...common, at: Date.now(), decision: decision.type, durationMs: 0, ...usageOf(decision), replayed: true });
        return decision;
      }
      const startedAt = new Date();
      const started = performance.now();
      const onText = (text: string) => scope.emit({ type: "model.delta", runId: scope.runId, subtaskId, agent: context.agent.name, stepKey: key, text, at: Date.now() });
      const decision = await scope.model.decide({ ...context, onText });
      const input = { model: scope.model.name, agent: context.agent.name, turn: context.history.length };
      const step: Step = { runId: scope.runId, key, kind: "model_call", status: "succeeded", input, output: decision, startedAt, finishedAt: new Date() };
      await recordAudited(scope, step, "model.output", scope.model.name, { stepKey: key, agent: context.agent.name, decision });
      scope.emit({ type: "model.finished", ...common, at: Date.now(), decision: decision.type, durationMs: performance.now() - started, ...usageOf(decision), replayed: false });
      return decision;
    },
  };
}

function usageOf(decision: Decision) {
  return decision.usage ? { usage: decision.usage } : {};
}

/** One audit entry about this run; nothing when the engine runs without an audit sink. */
async function audit(scope: SubtaskScope, action: string, actor: string, details: Record<string, unknown>): Promise<void> {
  await scope.audit?.append(auditDraft(scope, action, actor, details));
}

/**
 * Records `step` with its audit entry: in one commit when the journal can, else the step first
 * (it is the record the run resumes from), then the entry.
 */
async function recordAudited(scope: SubtaskScope, step: Step, action: string, actor: string, details: Record<string, unknown>): Promise<void> {
  if (!scope.audit) return scope.journal.record(step);
  const draft = auditDraft(scope, action, actor, details);
  if (scope.journal.recordAudited) return scope.journal.recordAudited(step, draft);
  await scope.journal.record(step);
  await scope.audit.append(draft);
}

function auditDraft(scope: SubtaskScope, action: string, actor: string, details: Record<string, unknown>): AuditDraft {
  return { action, actor, tenant: scope.tenant ?? "", target: scope.runId, details };
}

function callContext(scope: SubtaskScope, stepKey: string): CallContext {
  const context: { -readonly [K in keyof CallContext]: CallContext[K] } = { runId: scope.runId, stepKey };
  if (scope.toolSignal) context.signal = scope.toolSignal;
  if (scope.tenant) context.tenant = scope.tenant;
  if (scope.lease) context.epoch = scope.lease.epoch;
  return context;
}

/**
 * Checked right before a call starts, not left to a timer: a worker woken from a pause (or
 * whose database replies were held up) must not start a call for a run another worker may
 * already hold. Idempotent calls would waste work; the others would happen twice.
 */
function assertLeaseHeld(scope: SubtaskScope, tool: string, stepKey: string): void {
  if (!scope.lease || scope.lease.held()) return;
  throw new JournalError("LEASE_LOST", `the lease on run ${scope.runId} may have expired: ${tool} (${stepKey}) was not called`);
}

function replayCall(step: Step | undefined, tool: string): ToolCallResult | undefined {
  if (!step || (step.status !== "succeeded" && step.status !== "failed")) return undefined;
  const recordedTool = (step.input as { tool?: unknown } | undefined)?.tool;
  if (recordedTool !== tool) {
    // The model decided differently than when the step was recorded: replay cannot be trusted.
    return {
      status: "failed",
      error: { code: "REPLAY_MISMATCH", message: `step ${step.key} recorded a call of "${String(recordedTool)}", but replay asked for "${tool}"` },
      attempts: 0,
      durationMs: 0,
    };
  }
  const attempts = step.attempts ?? 1;
  return step.status === "succeeded"
    ? { status: "success", output: step.output, attempts, durationMs: 0 }
    : { status: "failed", error: step.error ?? { code: "TOOL_FAILED", message: "recorded failure" }, attempts, durationMs: 0 };
}
