import { checkAnswer, InvalidInputError, PlanValidationError, validatePlan } from "../core/index.js";
import type { InputRequestRecord, Plan, RunStatus, Step, StepKind, Task } from "../core/index.js";
import type { AuditDraft, AuditedSubmitOptions, Submission } from "./service-store.js";

// What a fork copies from its parent's journal, shared by both stores so they cannot drift.

/** A step of the parent as a fork reads it: where it stands, not its values. */
export interface ForkStepRow {
  readonly key: string;
  readonly kind: string;
  readonly status: string;
}

/** A new run from a step of another: the parent's journal up to the step, the rest executed again. */
export interface ForkRequest {
  readonly parentId: string;
  /** The step the fork starts from: a key of the parent's journal. */
  readonly stepKey: string;
  /**
   * The fork step recorded as succeeded with this value (a tool call's output, a subtask's
   * output, a replacement plan, an answer); absent: the step is executed again in the fork.
   */
  readonly output?: { readonly value: unknown };
  /** The fork's task: the parent's, with a new idempotency key and possibly a new input. */
  readonly task: Task;
}

/** What the store does for a fork: the steps it copies, and the one it records with a new output. */
export interface ForkPlan {
  /** Keys of the parent's steps copied as they are, in the parent's journal order. */
  readonly copy: readonly string[];
  /** The fork step, recorded after the copies with the request's output. */
  readonly replaced?: { readonly key: string; readonly kind: ForkOutputKind };
}

/** The kinds of step whose result a fork can replace. */
export const FORK_OUTPUT_KINDS = ["plan", "tool_call", "subtask", "input"] as const satisfies readonly StepKind[];
export type ForkOutputKind = (typeof FORK_OUTPUT_KINDS)[number];

/** One line of a fork's links: a fork of a run, as the parent's view lists it. */
export interface ForkSummary {
  readonly id: string;
  readonly status: RunStatus;
  readonly step: string;
  readonly createdAt: Date;
}

/** Where a run came from and which runs were forked from it. */
export interface ForkLinks {
  readonly forkedFrom: { readonly runId: string; readonly step: string } | null;
  readonly forks: readonly ForkSummary[];
}

/** A fork as the links queries read it. */
export interface ForkRow {
  readonly id: string;
  readonly status: string;
  readonly step: string | null;
  readonly created_at: number | Date;
}

/** A run's links from its origin columns (undefined: no such run) and its forks' rows, oldest first. */
export function forkLinksOf(origin: { readonly run: string | null; readonly step: string | null } | undefined, forks: readonly ForkRow[]): ForkLinks {
  return {
    forkedFrom: origin?.run ? { runId: origin.run, step: origin.step ?? "" } : null,
    forks: forks.map((row) => ({ id: row.id, status: row.status as RunStatus, step: row.step ?? "", createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at) })),
  };
}

/** Forks: a new run seeded from another's journal, and the links between them. */
export interface ForkStore {
  /**
   * Creates the fork as `submitAudited` creates a run (same idempotency key → the same run, the
   * tenant's cap, the audit entry), in one transaction with its seeded steps (`planFork`), its
   * link to the parent and a `run.forked` event on it (`fork.created` on the parent). The
   * parent's row and steps are only read.
   * @throws CsAgentsError (NOT_FOUND) when the parent does not exist; InvalidInputError
   *   (INVALID_INPUT) as `planFork`; (TOO_MANY_ACTIVE_RUNS) at the cap: nothing is written.
   */
  forkAudited(request: ForkRequest, options: AuditedSubmitOptions, audit: AuditDraft): Promise<Submission>;
  /** The run's origin (when it is a fork) and its own forks, oldest first (at most 100). */
  forkLinks(runId: string): Promise<ForkLinks>;
}

/**
 * A fork is created at this lease epoch, as though a first lease had written its seeded steps:
 * its first claim has epoch 2, so a worker reads its journal (a worker skips the read on epoch 1,
 * when a run cannot have steps yet).
 */
export const FORK_EPOCH = 1;

/** At most this many forks are listed on a run's view. */
export const FORK_LIST_LIMIT = 100;

/**
 * Which of the parent's steps a fork from `stepKey` starts with: those recorded before it (journal
 * order) that finished (succeeded or failed), without approvals (a sensitive call executed again
 * in the fork asks again) and without unfinished intents (`started`, `ambiguous`). Forking from a
 * subtask's `done` without an output runs that whole subtask again, so its other steps are left
 * out too.
 * @throws InvalidInputError (INVALID_INPUT) naming the parent's step keys when `stepKey` is not one
 *   of them, or when an output is given for a step whose result cannot be replaced.
 */
export function planFork(parentId: string, steps: readonly ForkStepRow[], stepKey: string, withOutput: boolean): ForkPlan {
  const at = steps.findIndex((s) => s.key === stepKey);
  const step = steps[at];
  if (!step) throw forkStepUnknown(parentId, stepKey, steps);
  if (withOutput && !isOutputKind(step.kind)) {
    throw new InvalidInputError(
      `step ${stepKey} is a ${step.kind} step; an output can replace only a plan, a tool call (subtask/<id>/call/<n>), a subtask's result (subtask/<id>/done) or an answer (subtask/<id>/input/<n>); fork without output to execute it again`,
    );
  }
  const rerunSubtask = !withOutput && step.kind === "subtask" ? subtaskPrefix(stepKey) : undefined;
  const copy = steps
    .slice(0, at)
    .filter((s) => (s.status === "succeeded" || s.status === "failed") && s.kind !== "approval")
    .filter((s) => rerunSubtask === undefined || !s.key.startsWith(rerunSubtask))
    .map((s) => s.key);
  return withOutput ? { copy, replaced: { key: stepKey, kind: step.kind as ForkOutputKind } } : { copy };
}

/** The JSON a replaced step records as its output, shaped as the engine reads that kind back. */
export function forkStepOutput(kind: ForkOutputKind, value: unknown): unknown {
  if (kind === "subtask") return { output: value, artifacts: [] };
  if (kind === "input") return { answer: value, by: "fork" };
  return value;
}

/** The fork's task: the parent's, with its own idempotency key (or none) and trace, and `input` when given. */
export function forkTask(parent: Task, changes: { readonly input?: Record<string, unknown>; readonly idempotencyKey?: string; readonly traceparent?: string }): Task {
  const { idempotencyKey: _parentKey, traceparent: _parentTrace, input: parentInput, ...rest } = parent;
  const input = changes.input ?? parentInput;
  return {
    ...rest,
    ...(input === undefined ? {} : { input }),
    ...(changes.idempotencyKey === undefined ? {} : { idempotencyKey: changes.idempotencyKey }),
    ...(changes.traceparent === undefined ? {} : { traceparent: changes.traceparent }),
  };
}

/** What a replacement output is checked against: the registered agents and tools. */
export interface ForkOutputChecks {
  readonly agents: ReadonlySet<string>;
  /** What is wrong with `value` as the output of `tool`; undefined when it fits or the tool is unknown here. */
  readonly toolOutput: (tool: string, value: unknown) => string | undefined;
}

/**
 * What is wrong with `value` as the result of the parent's step `step` (of `kind`), or undefined:
 * a plan must pass `validatePlan` with the registered agents, a tool call's output must fit the
 * tool's output schema, an answer the question's schema. A subtask's output is any JSON (the
 * replaced subtask has no artifacts).
 */
export function forkOutputProblem(kind: ForkOutputKind, step: Step | undefined, value: unknown, checks: ForkOutputChecks): string | undefined {
  if (kind === "plan") {
    try {
      validatePlan(value as Plan, checks.agents);
      return undefined;
    } catch (error) {
      if (error instanceof PlanValidationError) return `not a valid plan: ${error.issues.join("; ")}`;
      throw error;
    }
  }
  if (kind === "tool_call") {
    const tool = (step?.input as { tool?: unknown } | undefined)?.tool;
    const problem = typeof tool === "string" ? checks.toolOutput(tool, value) : undefined;
    return problem === undefined ? undefined : `${problem}; expected a value matching the output schema of ${String(tool)}`;
  }
  if (kind === "input") {
    const schema = (step?.input as InputRequestRecord | undefined)?.schema;
    const problem = schema ? checkAnswer(schema, value) : undefined;
    return problem ? `${problem.path.replace(/^\$\.?/, "")}${problem.path === "$" ? "" : ": "}${problem.message}; expected an answer matching the question's schema` : undefined;
  }
  return undefined;
}

function isOutputKind(kind: string): kind is ForkOutputKind {
  return (FORK_OUTPUT_KINDS as readonly string[]).includes(kind);
}

function subtaskPrefix(doneKey: string): string | undefined {
  const id = /^subtask\/([^/]+)\/done$/.exec(doneKey)?.[1];
  return id === undefined ? undefined : `subtask/${id}/`;
}

function forkStepUnknown(parentId: string, stepKey: string, steps: readonly ForkStepRow[]): InvalidInputError {
  const shown = steps.slice(0, 30).map((s) => s.key);
  const more = steps.length > shown.length ? `, … (${steps.length - shown.length} more)` : "";
  const known = steps.length === 0 ? "it has no steps recorded yet" : `its steps are: ${shown.join(", ")}${more}`;
  return new InvalidInputError(`run ${parentId} has no step ${stepKey.slice(0, 200)}; a fork starts from a step already recorded in the run's journal (GET /v1/tasks/${parentId}/steps); ${known}`);
}
