import type { ErrorInfo, Plan, Run, RunResult, RunStatus, Step, StepKind, StepStatus, Task } from "../core/index.js";
import type { Lease, RunHeader } from "./store.js";

/** A time as a driver returns it: PostgreSQL gives a Date, SQLite the epoch milliseconds we stored. */
type DbTime = Date | number;

/**
 * A run row as both adapters select it. JSON columns arrive as text (PostgreSQL selects them
 * with `::text`) so that SQL NULL (absent) and JSON `null` stay different values.
 */
export interface RunRow {
  readonly id: string;
  readonly task: string;
  readonly status: string;
  readonly plan: string | null;
  readonly result: string | null;
  readonly error: string | null;
  readonly created_at: DbTime;
  readonly updated_at: DbTime;
  readonly parent_id?: string | null;
  readonly parent_subtask?: string | null;
}

/** The columns of a run a list reads (`RunHeader`). */
export type RunHeaderRow = Pick<RunRow, "id" | "task" | "status" | "created_at" | "updated_at" | "parent_id" | "parent_subtask">;

export interface StepRow {
  readonly run_id: string;
  readonly key: string;
  readonly kind: string;
  readonly status: string;
  readonly input: string | null;
  readonly output: string | null;
  readonly error: string | null;
  readonly attempts: number | null;
  readonly started_at: DbTime;
  readonly finished_at: DbTime | null;
}

/** What a claim statement returns for each run it leased. */
export interface ClaimedRow {
  readonly id: string;
  readonly task: string;
  readonly lease_epoch: number;
  readonly crashes: number;
  readonly reclaimed: boolean | number;
  readonly lease_alone: boolean | number;
  /** PostgreSQL's claim: the last tenant it looked at (null for a quarantined, orphaned or named run). */
  readonly view_end?: string | null;
}

/** JSON text for a column; undefined becomes SQL NULL. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : (JSON.stringify(value) ?? null);
}

/** A step's JSON columns; a succeeded plan step's output doubles as the run's plan. */
export interface EncodedStep {
  readonly input: string | null;
  readonly output: string | null;
  readonly error: string | null;
  /** Kept on the run row too, so `status` shows the plan without reading the journal. */
  readonly plan: string | null;
}

/** Encodes before any database work: a value JSON cannot hold fails here, as itself, not as a database error. */
export function encodeStep(step: Step): EncodedStep {
  const output = toJson(step.output);
  return { input: toJson(step.input), output, error: toJson(step.error), plan: step.key === "plan" && step.status === "succeeded" ? output : null };
}

export function runFromRow(row: RunRow): Run {
  return {
    id: row.id,
    task: JSON.parse(row.task) as Task,
    status: row.status as RunStatus,
    ...present("plan", fromJson(row.plan) as Plan | undefined),
    ...present("result", fromJson(row.result) as RunResult | undefined),
    ...present("error", fromJson(row.error) as ErrorInfo | undefined),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    ...(row.parent_id ? { parent: { runId: row.parent_id, subtask: row.parent_subtask ?? "" } } : {}),
  };
}

export function runHeaderFromRow(row: RunHeaderRow): RunHeader {
  return {
    id: row.id,
    task: JSON.parse(row.task) as Task,
    status: row.status as RunStatus,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    ...(row.parent_id ? { parent: { runId: row.parent_id, subtask: row.parent_subtask ?? "" } } : {}),
  };
}

export function stepFromRow(row: StepRow): Step {
  return {
    runId: row.run_id,
    key: row.key,
    kind: row.kind as StepKind,
    status: row.status as StepStatus,
    ...present("input", fromJson(row.input)),
    ...present("output", fromJson(row.output)),
    ...present("error", fromJson(row.error) as ErrorInfo | undefined),
    ...present("attempts", row.attempts ?? undefined),
    startedAt: toDate(row.started_at),
    ...present("finishedAt", row.finished_at === null ? undefined : toDate(row.finished_at)),
  };
}

export function leaseFromRow(row: ClaimedRow, workerId: string): Lease {
  return { runId: row.id, workerId, epoch: row.lease_epoch, task: JSON.parse(row.task) as Task, reclaimed: Boolean(row.reclaimed), alone: Boolean(row.lease_alone) };
}

function fromJson(text: string | null): unknown {
  return text === null ? undefined : (JSON.parse(text) as unknown);
}

function toDate(value: DbTime): Date {
  return value instanceof Date ? value : new Date(value);
}

/** `{ key: value }`, or `{}` when the value is absent: optional fields stay absent, never `undefined`. */
function present<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
