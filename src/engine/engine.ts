import type { AgentModel, AgentRegistry, SubtaskOutcome } from "../agents/index.js";
import type { ErrorInfo, Plan, RunResult, Step, Subtask, SubtaskResult, Task } from "../core/index.js";
import { ChildRunPendingError, CHILD_RUN_AGENT, DecisionRequiredError, CancelledError, InputRequiredError, SleepRequiredError, CsAgentsError, describeError, describeErrorWithRef, JournalError, stepKeys, subtaskDueAt, validatePlan } from "../core/index.js";
import type { Planner } from "../planner/index.js";
import type { AuditDraft, AuditSink } from "../store/index.js";
import type { ToolRegistry } from "../tools/index.js";
import type { EngineEvent, EventListener } from "./events.js";
import type { Journal } from "./journal.js";
import { recordSteps } from "./journal.js";
import type { RunLease, SubtaskScope, ToolRunner } from "./run-subtask.js";
import { recordedOutcome, runSubtask } from "./run-subtask.js";
import type { ChildBudgeting, ChildRuns } from "./child-run.js";
import { runChildSubtask } from "./child-run.js";

export interface EngineOptions {
  readonly planner: Planner;
  readonly agents: AgentRegistry;
  readonly tools: ToolRegistry;
  readonly executor: ToolRunner;
  readonly model: AgentModel;
  readonly journal: Journal;
  /** Most subtasks of one run running at once. Default 4. */
  readonly maxConcurrency?: number;
}

export interface ExecuteRequest {
  readonly runId: string;
  readonly task: Task;
  readonly signal?: AbortSignal;
  readonly onEvent?: EventListener;
  /** The journal of this run (a worker's is fenced by its lease). Default: the engine's. */
  readonly journal?: Journal;
  /** Receives an entry for every sensitive tool call, refused call and model output. */
  readonly audit?: AuditSink;
  /** The lease the run is executed under: its epoch fences tool calls, and no call starts once it is not held. */
  readonly lease?: RunLease;
  /** Where subtasks with `agent: "run"` submit and read their child runs (a worker's store). */
  readonly children?: ChildRuns;
  /** Set by the run accounting: what a child submitted now may spend, and what a finished one spent. */
  readonly budgeting?: ChildBudgeting;
}

export type RunOutcome =
  | { readonly status: "succeeded"; readonly plan: Plan; readonly result: RunResult }
  | { readonly status: "failed"; readonly plan: Plan | undefined; readonly error: ErrorInfo }
  | { readonly status: "cancelled"; readonly plan: Plan | undefined; readonly error: ErrorInfo }
  /** A step is ambiguous: the run waits for a person's decision (`cs-agents decide`). */
  | { readonly status: "waiting_approval"; readonly plan: Plan; readonly stepKey: string; readonly error: ErrorInfo }
  /** A tool set a timer: the run gives up its lease until `wakeAt` (epoch ms), the earliest timer set. */
  | { readonly status: "sleeping"; readonly plan: Plan; readonly stepKey: string; readonly wakeAt: number }
  /**
   * A tool asked a person (`ctx.ask`): the run gives up its lease until the answer comes, or
   * until `wakeAt` (epoch ms: a default answer's time, or a timer due first), when any worker takes it.
   */
  | { readonly status: "waiting_input"; readonly plan: Plan; readonly stepKey: string; readonly wakeAt: number | undefined }
  /**
   * Subtasks wait for their child runs: the run gives up its lease until one of them finishes
   * (or until `wakeAt`, epoch ms, when a timer is due first).
   */
  | { readonly status: "waiting_children"; readonly plan: Plan; readonly stepKey: string; readonly childRunIds: readonly string[]; readonly wakeAt: number | undefined };

/** Runs tasks: plan (journaled), then the plan's subtasks as a bounded-concurrency DAG. */
export interface Engine {
  /**
   * Executes a run from its journal: steps already recorded are read back, not done again.
   * Resolves with the outcome; it rejects only when the journal itself fails.
   */
  execute(request: ExecuteRequest): Promise<RunOutcome>;
}

/** Shared by runs without a signal: nothing ever aborts it, so one is enough. */
const NEVER_ABORTED = new AbortController().signal;

/** @throws nothing at construction; bad options surface as failed runs. */
export function createEngine(options: EngineOptions): Engine {
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? 4);
  return {
    async execute(request) {
      const started = performance.now();
      const emit = safeEmitter(request.onEvent);
      const signal = request.signal ?? NEVER_ABORTED;
      // Events are built only for a listener: most runs (workers, the bench) have none.
      const listening = request.onEvent !== undefined;
      if (listening) emit({ type: "run.started", runId: request.runId, at: Date.now() });
      const base = request.journal ?? options.journal;
      const recorded = new Map((await base.load(request.runId)).map((s) => [s.key, s]));
      let plan: Plan | undefined;
      let outcome: RunOutcome;
      let journal = base;
      // The last subtask's closing steps, when the journal can commit them with the outcome.
      const closing: Step[] = [];
      try {
        const planned = await planOnce(options, base, request, recorded, emit);
        plan = planned.plan;
        const withPlan = planned.unrecorded ? withFirstWrite(base, planned.unrecorded) : undefined;
        journal = withPlan ?? base;
        // Built field by field, not spread from the options: one fixed shape for the hot path.
        const scope: SubtaskScope = {
          runId: request.runId,
          tenant: request.task.tenant,
          language: plan.language,
          journal,
          recorded,
          tools: options.tools,
          executor: options.executor,
          model: options.model,
          emit,
          listening,
          signal,
          toolSignal: request.signal,
          audit: request.audit,
          lease: request.lease,
          children: request.children,
          priority: request.task.priority,
          budgeting: request.budgeting,
        };
        outcome = await runGraph(scope, plan, planned.startedAt, options.agents, maxConcurrency, journal.finish ? closing : undefined);
        // A sleeping run's steps are recorded as they are; the worker then puts it to sleep.
        if (closing.length > 0) await (outcome.status === "sleeping" || outcome.status === "waiting_input" || outcome.status === "waiting_children" ? recordSteps(journal, closing.splice(0)) : journal.finish?.(closing.splice(0), outcome));
        // A run that wrote nothing else (no subtasks, say) still keeps its plan.
        await withPlan?.flush();
      } catch (error) {
        // A subtask that finished is still recorded, whatever stopped the run after it.
        if (closing.length > 0) await recordSteps(journal, closing).catch(() => undefined);
        const info = describeErrorWithRef(error);
        // A stop with a reason of its own (a budget's deadline) fails the run with that reason;
        // a plain abort is a cancel.
        const stopped = signal.aborted && signal.reason instanceof CsAgentsError && !(signal.reason instanceof CancelledError) ? signal.reason : undefined;
        if (stopped) outcome = { status: "failed", plan, error: describeErrorWithRef(stopped) };
        else outcome = signal.aborted || error instanceof CancelledError ? { status: "cancelled", plan, error: info } : { status: "failed", plan, error: info };
        if (!signal.aborted && !(error instanceof CancelledError) && isJournalFailure(error)) throw error;
      }
      if (listening) {
        const durationMs = performance.now() - started;
        emit({ type: "run.finished", runId: request.runId, at: Date.now(), status: outcome.status, durationMs, ...("error" in outcome ? { error: outcome.error } : {}) });
      }
      return outcome;
    },
  };
}

/**
 * The recorded plan, or a new one. A deterministic planner's new plan is returned as
 * `unrecorded`, to be committed with the run's first step (one commit fewer per run); any other
 * plan is committed before anything runs, since planning again could give another.
 */
async function planOnce(
  options: EngineOptions,
  journal: Journal,
  request: ExecuteRequest,
  recorded: ReadonlyMap<string, Step>,
  emit: EventListener,
): Promise<{ plan: Plan; startedAt: number; unrecorded?: Step }> {
  const step = recorded.get(stepKeys.plan);
  if (step?.status === "succeeded") {
    const plan = step.output as Plan;
    if (request.onEvent) emit({ type: "plan.created", runId: request.runId, at: Date.now(), plan, replayed: true });
    // The run's start as journaled: a subtask's delayMs counts from it on every pass.
    return { plan, startedAt: step.startedAt.getTime() };
  }
  const startedAt = new Date();
  const signal = request.signal;
  // A planner that does not listen to the signal still cannot hold the run past it.
  const planned = signal ? untilAborted(options.planner.plan(request.task, { signal }), signal) : options.planner.plan(request.task);
  const plan = validatePlan(await planned, options.agents.names());
  const planStep: Step = { runId: request.runId, key: stepKeys.plan, kind: "plan", status: "succeeded", input: request.task, output: plan, startedAt, finishedAt: new Date() };
  // A model's plan is a model output, audited like an agent's (an injected task shows up here
  // first).
  if (!options.planner.deterministic) await (options.planner.model ? recordPlan(journal, planStep, plan, request) : journal.record(planStep));
  if (request.onEvent) emit({ type: "plan.created", runId: request.runId, at: Date.now(), plan, replayed: false });
  return options.planner.deterministic ? { plan, startedAt: startedAt.getTime(), unrecorded: planStep } : { plan, startedAt: startedAt.getTime() };
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener("abort", onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function recordPlan(journal: Journal, step: Step, plan: Plan, request: ExecuteRequest): Promise<void> {
  if (!request.audit) return journal.record(step);
  const draft: AuditDraft = { action: "model.output", actor: plan.source, tenant: request.task.tenant ?? "", target: request.runId, details: { stepKey: stepKeys.plan, plan } };
  if (journal.recordAudited) return journal.recordAudited(step, draft);
  await journal.record(step);
  await request.audit.append(draft);
}

/**
 * The journal with `first` put in front of the next write, in the same commit; `flush` writes it
 * alone when nothing else was written.
 */
function withFirstWrite(journal: Journal, first: Step): Journal & { flush(): Promise<void> } {
  let pending: Step | undefined = first;
  const take = (): Step[] => {
    const steps = pending ? [pending] : [];
    pending = undefined;
    return steps;
  };
  const recordAudited = journal.recordAudited?.bind(journal);
  const finish = journal.finish?.bind(journal);
  return {
    record: (step) => (pending ? recordSteps(journal, [...take(), step]) : journal.record(step)),
    recordAll: (steps) => recordSteps(journal, [...take(), ...steps]),
    ...(recordAudited
      ? {
          recordAudited: async (step: Step, draft: AuditDraft) => {
            if (pending) await recordSteps(journal, take());
            await recordAudited(step, draft);
          },
        }
      : {}),
    ...(finish ? { finish: (steps: readonly Step[], outcome: RunOutcome) => finish([...take(), ...steps], outcome) } : {}),
    load: (runId) => journal.load(runId),
    flush: async () => {
      if (pending) await recordSteps(journal, take());
    },
  };
}

/**
 * Starts every subtask whose dependencies are done, at most `maxConcurrency` at a time. After
 * the first failure nothing new starts; what is running finishes, what has not started is
 * cancelled, and the run fails with the first failure's reason. With `closing`, the subtask whose
 * end is the run's end (the last to start, alone) leaves its closing steps there unrecorded:
 * nothing reads its result before the run's outcome, which commits them.
 */
async function runGraph(scope: SubtaskScope, plan: Plan, runStartedAt: number, agents: AgentRegistry, maxConcurrency: number, closing?: Step[]): Promise<RunOutcome> {
  const results: Record<string, SubtaskResult> = {};
  const waiting = new Map(plan.subtasks.map((s) => [s.id, s]));
  const running = new Map<string, Promise<void>>();
  let failure: ErrorInfo | undefined;
  let awaiting: DecisionRequiredError | undefined;
  let sleeping: SleepRequiredError | undefined;
  let asking: InputRequiredError | undefined;
  const pendingChildren: ChildRunPendingError[] = [];
  // The earliest default answer due among the questions asked.
  let answerDue: number | undefined;

  const start = (subtask: Subtask) => {
    waiting.delete(subtask.id);
    const deps = Object.fromEntries(subtask.dependsOn.map((id) => [id, results[id] as SubtaskResult]));
    const last = waiting.size === 0 && running.size === 0;
    const task = runOne(scope, subtask, agents, deps, last ? closing : undefined).then((outcome) => {
      running.delete(subtask.id);
      if (outcome instanceof DecisionRequiredError) {
        awaiting ??= outcome;
      } else if (outcome instanceof InputRequiredError) {
        asking ??= outcome;
        if (outcome.expiresAt !== undefined && (answerDue === undefined || outcome.expiresAt < answerDue)) answerDue = outcome.expiresAt;
      } else if (outcome instanceof ChildRunPendingError) {
        pendingChildren.push(outcome);
      } else if (outcome instanceof SleepRequiredError) {
        if (!sleeping || outcome.wakeAt < sleeping.wakeAt) sleeping = outcome;
      } else if (outcome.status === "succeeded") {
        results[subtask.id] = { subtaskId: subtask.id, output: outcome.output, artifacts: outcome.artifacts };
      } else {
        failure ??= { code: outcome.error.code, message: `subtask "${subtask.id}" failed: ${outcome.error.message}` };
      }
    });
    running.set(subtask.id, task);
  };

  // The earliest "not before" among ready subtasks held back, when nothing else could run.
  let held: { at: number; subtaskId: string } | undefined;
  for (;;) {
    if (scope.signal.aborted) throw new CancelledError();
    held = undefined;
    // A subtask asleep starts nothing new: the run sleeps once what runs has settled.
    // A subtask waiting for its child run does not hold back the others: they go on meanwhile.
    if (!failure && !awaiting && !sleeping && !asking) {
      const now = Date.now();
      for (const subtask of waiting.values()) {
        if (running.size >= maxConcurrency) break;
        if (!subtask.dependsOn.every((id) => id in results)) continue;
        const notBefore = notBeforeOf(scope, subtask, runStartedAt);
        if (notBefore > now) {
          if (!held || notBefore < held.at) held = { at: notBefore, subtaskId: subtask.id };
          continue;
        }
        start(subtask);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (scope.signal.aborted) throw new CancelledError();
  if (awaiting) {
    return { status: "waiting_approval", plan, stepKey: awaiting.stepKey, error: describeError(awaiting) };
  }
  if (asking && !failure) {
    // A timer due before any default answer wakes the run first; the question is asked again then.
    const due = [answerDue, sleeping?.wakeAt, held?.at].filter((at): at is number => at !== undefined);
    return { status: "waiting_input", plan, stepKey: asking.stepKey, wakeAt: due.length === 0 ? undefined : Math.min(...due) };
  }
  const firstChild = pendingChildren[0];
  if (firstChild && !failure) {
    // A timer due while the children still run wakes the run first; it waits again then.
    const due = [sleeping?.wakeAt, held?.at].filter((at): at is number => at !== undefined);
    const childRunIds = pendingChildren.map((p) => p.childRunId);
    if (scope.listening) scope.emit({ type: "run.waiting_children", runId: scope.runId, at: Date.now(), stepKey: firstChild.stepKey, childRunIds });
    return { status: "waiting_children", plan, stepKey: firstChild.stepKey, childRunIds, wakeAt: due.length === 0 ? undefined : Math.min(...due) };
  }
  if (sleeping && !failure) return { status: "sleeping", plan, stepKey: sleeping.stepKey, wakeAt: sleeping.wakeAt };
  if (held && !failure) {
    if (scope.listening) scope.emit({ type: "run.sleeping", runId: scope.runId, at: Date.now(), stepKey: stepKeys.notBefore(held.subtaskId), wakeAt: held.at });
    return { status: "sleeping", plan, stepKey: stepKeys.notBefore(held.subtaskId), wakeAt: held.at };
  }
  if (failure) {
    for (const id of waiting.keys()) scope.emit({ type: "subtask.cancelled", runId: scope.runId, subtaskId: id, at: Date.now() });
    return { status: "failed", plan, error: failure };
  }
  return { status: "succeeded", plan, result: collectResult(plan, results) };
}

async function runOne(
  scope: SubtaskScope,
  subtask: Subtask,
  agents: AgentRegistry,
  deps: Record<string, SubtaskResult>,
  closing: Step[] | undefined,
): Promise<SubtaskOutcome | DecisionRequiredError | SleepRequiredError | InputRequiredError | ChildRunPendingError> {
  const started = performance.now();
  const replayed = recordedOutcome(scope.recorded.get(stepKeys.subtaskDone(subtask.id)));
  if (!replayed && scope.listening) scope.emit({ type: "subtask.started", runId: scope.runId, subtaskId: subtask.id, agent: subtask.agent, at: Date.now() });
  let outcome: SubtaskOutcome;
  try {
    outcome = replayed ?? (subtask.agent === CHILD_RUN_AGENT ? await runChildSubtask(scope, subtask) : await runSubtask(scope, subtask, agents.get(subtask.agent), deps, closing));
  } catch (error) {
    if (error instanceof CancelledError || scope.signal.aborted) throw error;
    if (isJournalFailure(error)) throw error;
    if (error instanceof DecisionRequiredError || error instanceof SleepRequiredError || error instanceof InputRequiredError || error instanceof ChildRunPendingError) return error;
    outcome = { status: "failed", error: describeError(error), calls: 0 };
  }
  if (!scope.listening) return outcome;
  const common = { runId: scope.runId, subtaskId: subtask.id };
  const durationMs = performance.now() - started;
  if (outcome.status === "succeeded") {
    scope.emit({ type: "subtask.finished", ...common, at: Date.now(), durationMs, replayed: replayed !== undefined });
  } else {
    scope.emit({ type: "subtask.failed", ...common, at: Date.now(), durationMs, error: outcome.error });
  }
  return outcome;
}

/** A subtask's "not before" (its notBefore or delayMs) as epoch ms; 0 when it has none or has finished already (replay). */
function notBeforeOf(scope: SubtaskScope, subtask: Subtask, runStartedAt: number): number {
  if ((subtask.notBefore === undefined && subtask.delayMs === undefined) || scope.recorded.has(stepKeys.subtaskDone(subtask.id))) return 0;
  return subtaskDueAt(subtask, runStartedAt);
}

function collectResult(plan: Plan, results: Record<string, SubtaskResult>): RunResult {
  const dependedOn = new Set(plan.subtasks.flatMap((s) => s.dependsOn));
  const sinks = plan.subtasks.filter((s) => !dependedOn.has(s.id));
  const last = sinks.length === 1 && sinks[0] ? results[sinks[0].id]?.output : undefined;
  return {
    subtasks: results,
    artifacts: plan.subtasks.flatMap((s) => results[s.id]?.artifacts ?? []),
    output: last,
  };
}

/** Errors the journal raised must stop the run: nothing may go on unrecorded. */
function isJournalFailure(error: unknown): boolean {
  return error instanceof JournalError;
}

/** A listener that throws must not break the run. */
function safeEmitter(listener: EventListener | undefined): (event: EngineEvent) => void {
  if (!listener) return () => undefined;
  return (event) => {
    try {
      listener(event);
    } catch {
      // Rendering progress is best effort; the journal is the record.
    }
  };
}
