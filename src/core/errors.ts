/**
 * The one error base of the project. `code` is machine-readable and stable (the CLI maps it to
 * an exit code, the HTTP API to a status); `retryable` tells the executor whether trying again
 * can help.
 */
export class CsAgentsError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /** Where the message is in the translated catalogues (`src/i18n/`); the English `message` stays the fallback. */
  readonly i18n: MessageRef | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean; i18n?: MessageRef } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.i18n = options.i18n;
  }
}

/**
 * A message by key, with the values it interpolates, so each language writes the sentence its
 * own way (no pieces glued together across languages). Codes are never translated.
 */
export interface MessageRef {
  readonly key: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

/** Input from a user or a caller was not what was expected. Never retryable. */
export class InvalidInputError extends CsAgentsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("INVALID_INPUT", message, options);
  }
}

/** A plan broke one of the rules in `validatePlan`; `issues` lists every broken rule. */
export class PlanValidationError extends CsAgentsError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super("PLAN_INVALID", `invalid plan: ${issues.join("; ")}`);
    this.issues = issues;
  }
}

/** No planner could turn the task into a plan. */
export class PlanningError extends CsAgentsError {
  constructor(message: string, options: { cause?: unknown; i18n?: MessageRef } = {}) {
    super("PLANNING_FAILED", message, options);
  }
}

/** The run was cancelled through its AbortSignal. */
export class CancelledError extends CsAgentsError {
  constructor(message = "the run was cancelled") {
    super("CANCELLED", message);
  }
}

/** Something was asked for by a name nobody registered. */
export class NotFoundError extends CsAgentsError {
  constructor(what: string, name: string, known: readonly string[]) {
    const list = known.length > 0 ? known.join(", ") : "none";
    super("NOT_FOUND", `unknown ${what} "${name}" (known: ${list})`);
  }
}

/** Turns anything thrown into a `{ code, message }` pair fit for a journal or a user. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof CsAgentsError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: "INTERNAL", message: error.message };
  return { code: "INTERNAL", message: String(error) };
}

/**
 * `describeError` with the error's catalogue key and values, when it has them: for a run's own
 * error, which the store keeps and the CLI shows in the user's language (a step's error stays
 * `{ code, message }`).
 */
export function describeErrorWithRef(error: unknown): { code: string; message: string; i18n?: MessageRef } {
  const described = describeError(error);
  return error instanceof CsAgentsError && error.i18n !== undefined ? { ...described, i18n: error.i18n } : described;
}

/**
 * The journal could not record a step (database down, or a lease lost to another worker).
 * The engine stops the run at once: nothing may go on unrecorded.
 */
export class JournalError extends CsAgentsError {
  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, options);
  }
}

/** The run cannot go on until a person decides about one step; it waits in `waiting_approval`. */
export class DecisionRequiredError extends CsAgentsError {
  readonly stepKey: string;

  constructor(code: string, stepKey: string, message: string) {
    super(code, message);
    this.stepKey = stepKey;
  }
}

/**
 * The run sleeps until `wakeAt` (epoch ms): it gives up its lease and worker slot, and the store
 * hands it to a worker again once it is due. Not a failure; the engine turns it into a `sleeping`
 * outcome.
 */
export class SleepRequiredError extends CsAgentsError {
  readonly stepKey: string;
  readonly wakeAt: number;

  constructor(stepKey: string, wakeAt: number) {
    super("SLEEPING", `the run sleeps until ${new Date(wakeAt).toISOString()} (step ${stepKey})`);
    this.stepKey = stepKey;
    this.wakeAt = wakeAt;
  }
}

/**
 * A subtask carried out as a child run waits for that run to reach a final status: the parent
 * waits in `waiting_children` without a lease until the child's final status queues it again.
 * Not a failure; the engine turns it into a `waiting_children` outcome.
 */
export class ChildRunPendingError extends CsAgentsError {
  readonly stepKey: string;
  readonly childRunId: string;

  constructor(stepKey: string, childRunId: string) {
    super("WAITING_CHILDREN", `the run waits for its child run ${childRunId} (step ${stepKey})`);
    this.stepKey = stepKey;
    this.childRunId = childRunId;
  }
}

/**
 * A tool asked a person a question (`ctx.ask`) that has no answer yet: the run waits in
 * `waiting_input` without a lease until the answer comes (or `expiresAt`, epoch ms, when the
 * question has a default answer). Not a failure; the engine turns it into a `waiting_input` outcome.
 */
export class InputRequiredError extends CsAgentsError {
  readonly stepKey: string;
  readonly expiresAt: number | undefined;

  constructor(stepKey: string, expiresAt: number | undefined) {
    super("WAITING_INPUT", `the run waits for an answer to ${stepKey}${expiresAt === undefined ? "" : ` (default answer at ${new Date(expiresAt).toISOString()})`}`);
    this.stepKey = stepKey;
    this.expiresAt = expiresAt;
  }
}

/**
 * A tool that may not run twice was cut off mid-call: whether it took effect is unknown. The
 * run waits for a person to decide (retry, done with a result, or fail); it is never re-run
 * automatically.
 */
export class AmbiguousStepError extends DecisionRequiredError {
  constructor(stepKey: string, tool: string) {
    super("STEP_AMBIGUOUS", stepKey, `step ${stepKey} (${tool}) was cut off mid-call and may or may not have taken effect; decide: retry, done with a result, or fail`);
  }
}

/** A sensitive tool is about to be called: a person must approve these exact arguments first. */
export class ApprovalRequiredError extends DecisionRequiredError {
  constructor(stepKey: string, tool: string) {
    super("APPROVAL_REQUIRED", stepKey, `the sensitive tool ${tool} needs a person's approval (step ${stepKey}) before it is called`);
  }
}
