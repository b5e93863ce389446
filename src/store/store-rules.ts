import { CsAgentsError, InvalidInputError, JournalError, RUN_ID_PATTERN } from "../core/index.js";
import type { ErrorInfo, Run, RunStatus, Step, StepStatus, Task } from "../core/index.js";
import type { AmbiguousDecision, FinalOutcome, Lease, SubmitOptions, Submitted } from "./store.js";

// The semantics both adapters share, so SQLite and PostgreSQL cannot drift apart.

/** A worker may claim these: not started yet, or started by a worker that may have died. */
export const CLAIMABLE_STATUSES = ["queued", "planning", "running"] as const satisfies readonly RunStatus[];
export const FINAL_STATUSES = ["succeeded", "failed", "cancelled"] as const satisfies readonly RunStatus[];

/** A run just created, with the first lease when it was created claimed (eager start). */
export function submitted(run: Run, task: Task, claim: SubmitOptions["claim"]): Submitted {
  if (!claim) return { run, created: true };
  return { run, created: true, lease: { runId: run.id, workerId: claim.workerId, epoch: 1, task, reclaimed: false, alone: false } };
}

/** `'a', 'b'` for an `IN (...)` list of our own constants (never user input). */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(", ");
}

/**
 * The predicate of PostgreSQL's runs_active index (migration 3). SQLite's has been
 * `finished_at IS NULL` since its migration 7 (SQLITE_ACTIVE_RUNS in sqlite/statements.ts).
 */
export const ACTIVE_RUNS = `status NOT IN (${sqlList(FINAL_STATUSES)})`;

/**
 * The predicate of both stores' runs_waiting index (SQLite migration 15, PostgreSQL 12), word for
 * word: the runs waiting for a worker. SQLite uses a partial index only when the WHERE repeats it.
 */
export const WAITING_RUNS = `lease_owner IS NULL AND status IN (${sqlList(CLAIMABLE_STATUSES)})`;

/**
 * At most this many waiting tenants are looked at by one claim, starting after the tenant the
 * store last handed a run of (and wrapping around): a claim's cost stays bounded however many
 * tenants wait, and every waiting tenant comes into view within a few claims.
 */
export const TENANTS_PER_CLAIM = 16;

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 500;

export function listLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return LIST_LIMIT_DEFAULT;
  return Math.min(LIST_LIMIT_MAX, Math.max(1, Math.floor(limit)));
}

/**
 * When the `before` run is gone (pruned between two pages), its creation time is still in its
 * id; paging goes on from there instead of returning an empty page.
 */
export function createdAtFromRunId(runId: string): number | null {
  return RUN_ID_PATTERN.test(runId) ? Number.parseInt(runId.slice(0, 9), 36) : null;
}

/** The run row changes a `transition` makes, as bind values for one fenced UPDATE. */
export interface TransitionChange {
  readonly status: RunStatus;
  readonly plan: string | null;
  readonly result: string | null;
  readonly error: string | null;
  /** Final statuses stamp finished_at. */
  readonly finished: boolean;
  /** Only planning and running keep the lease: a final run or one waiting for a person has no worker. */
  readonly keepLease: boolean;
}

export function transitionChange(update: { readonly status: "planning" | "running" | "waiting_approval" } | FinalOutcome): TransitionChange {
  const finished = (FINAL_STATUSES as readonly string[]).includes(update.status);
  return {
    status: update.status,
    plan: "plan" in update && update.plan !== undefined ? JSON.stringify(update.plan) : null,
    result: "result" in update ? JSON.stringify(update.result) : null,
    error: "error" in update ? JSON.stringify(update.error) : null,
    finished,
    keepLease: update.status === "planning" || update.status === "running",
  };
}

/** What a decision does to an ambiguous step: forget it (run it again) or settle it. */
export type DecisionEffect =
  | { readonly kind: "delete" }
  | { readonly kind: "settle"; readonly status: StepStatus; readonly output: string | null; readonly error: string | null };

export function decisionEffect(decision: AmbiguousDecision): DecisionEffect {
  switch (decision.action) {
    case "retry":
      return { kind: "delete" };
    case "done":
      return { kind: "settle", status: "succeeded", output: JSON.stringify(decision.output) ?? null, error: null };
    case "fail":
      return { kind: "settle", status: "failed", output: null, error: JSON.stringify({ code: "DECIDED_FAILED", message: decision.reason }) };
  }
}

/**
 * True when this claim pushes a run over the crash limit: it is failed instead of leased. Only
 * a lease held alone counts a crash when it expires (the claim statements), so a run that dies
 * beside others is quarantined, not charged.
 */
export function isPoisoned(row: { readonly reclaimed: boolean | number; readonly crashes: number }, maxCrashes: number): boolean {
  return Boolean(row.reclaimed) && row.crashes >= maxCrashes;
}

export function poisonError(crashes: number): ErrorInfo {
  return {
    code: "POISON_RUN",
    message: `the run took down ${crashes} workers while running alone on each (lease expired ${crashes} times); it is failed so it cannot take down the fleet`,
  };
}

export function leaseLostError(runId: string, epoch: number): JournalError {
  return new JournalError("LEASE_LOST", `stale write to run ${runId}: lease epoch ${epoch} is no longer current (another worker took the run over, or it is no longer active)`);
}

/** The database failed under a journal call; the engine must stop the run, and trying later may work. */
export function journalUnavailableError(what: string, cause: unknown): JournalError {
  if (cause instanceof JournalError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new JournalError("JOURNAL_UNAVAILABLE", `could not ${what}: ${reason}`, { cause, retryable: true });
}

export function runNotFoundError(runId: string): CsAgentsError {
  return new CsAgentsError("NOT_FOUND", `no run "${runId}"`);
}

export function stepNotFoundError(runId: string, stepKey: string, ambiguousKeys: readonly string[]): CsAgentsError {
  const waiting = ambiguousKeys.length > 0 ? ambiguousKeys.join(", ") : "none";
  return new CsAgentsError("NOT_FOUND", `run ${runId} has no step "${stepKey}" (steps waiting for a decision: ${waiting})`);
}

export function notAmbiguousError(runId: string, stepKey: string, status: string): CsAgentsError {
  return new CsAgentsError("NOT_AMBIGUOUS", `step ${stepKey} of run ${runId} is ${status}, not ambiguous; only ambiguous steps wait for a decision`);
}

/** An answer to a step that is no open question, or while its run is not waiting for input. */
export function inputNotWaitingError(runId: string, stepKey: string, why: string): CsAgentsError {
  return new CsAgentsError("INPUT_NOT_WAITING", `step ${stepKey} of run ${runId} is not waiting for an answer: ${why}`, { i18n: { key: "api.input-not-waiting", params: { runId, stepKey, why } } });
}

/**
 * Why an answer cannot be taken now, or undefined when it can: the step must be an open
 * question (`input`, `started`) and the run `waiting_input` (a run going on reads its journal
 * as it was when it started, so an answer then could be missed).
 */
export function answerRefusal(runStatus: string, step: { readonly kind: string; readonly status: string } | undefined): string | undefined {
  if (!step) return "the run has no such step";
  if (step.kind !== "input") return `it is a ${step.kind} step, not a question`;
  if (step.status !== "started") return "it has been answered already";
  if (runStatus !== "waiting_input") return `the run is ${runStatus}; answer once it is waiting_input again`;
  return undefined;
}

/** The output an answered question records. */
export function answerOutput(answer: unknown): string {
  return JSON.stringify({ answer, by: "person" });
}

export function runExistsError(runId: string, cause: unknown): CsAgentsError {
  return new CsAgentsError("RUN_EXISTS", `a run with id ${runId} already exists`, { cause });
}

/** A step is written under its own run's lease only; anything else is a caller bug. */
export function checkStepRun(lease: Lease, step: Step): void {
  if (step.runId !== lease.runId) {
    throw new InvalidInputError(`step ${step.key} belongs to run ${step.runId}, but the lease is for run ${lease.runId}`);
  }
}

/** Steps written together must be distinct keys of the lease's run: one write per key. */
export function checkStepBatch(lease: Lease, steps: readonly Step[]): void {
  if (steps.length === 0) throw new InvalidInputError("recordAll needs at least one step");
  const keys = new Set<string>();
  for (const step of steps) {
    checkStepRun(lease, step);
    if (keys.has(step.key)) throw new InvalidInputError(`step ${step.key} appears twice in one write; record it once`);
    keys.add(step.key);
  }
}

export function describeSteps(steps: readonly Step[]): string {
  return steps.length === 1 ? `step ${steps[0]?.key}` : `steps ${steps.map((s) => s.key).join(", ")}`;
}

export function mustExist<T>(row: T | undefined, runId: string): T {
  if (row === undefined) throw new CsAgentsError("INTERNAL", `run ${runId} vanished while it was being written`);
  return row;
}

/** Driver errors carry a string `code` (SQLITE_CONSTRAINT_PRIMARYKEY, PostgreSQL's SQLSTATE). */
export function hasCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
