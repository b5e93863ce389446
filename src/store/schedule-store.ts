import type { Task } from "../core/index.js";
import type { AuditDraft } from "./service-store.js";

// Schedules (schema: SQLite 14, PostgreSQL 11): tasks submitted on a cron or an interval. The
// store knows nothing of cron: the tick loop hands it a `plan` that says, for one due schedule,
// which tick to submit and when the next one is. Submitting the tick's run and moving
// next_run_at happen in one transaction, so a tick is fired once whoever races for it.

/** A schedule as stored. `spec` is the validated request (task, cron or everyMs, zone, policy). */
export interface Schedule {
  readonly id: string;
  readonly tenant: string;
  readonly name: string | null;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly nextRunAt: Date;
  /** The last tick that submitted a run; null before the first. */
  readonly lastRunAt: Date | null;
  /** What the last due tick did (submitted, or skipped and why); null before the first. */
  readonly lastTick: TickRecord | null;
  readonly paused: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewSchedule {
  readonly id: string;
  readonly tenant: string;
  readonly name: string | null;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly nextRunAt: Date;
  readonly paused: boolean;
}

/** What one due schedule's tick did. */
export type TickOutcome = "submitted" | "duplicate" | "missed" | "refused";

export interface TickRecord {
  readonly outcome: TickOutcome;
  /** The tick (ISO 8601) the run was submitted for, or the first tick skipped. */
  readonly tick: string;
  readonly runId?: string;
  /** refused: why (TOO_MANY_ACTIVE_RUNS, RATE_LIMITED …); missed: how many ticks were skipped. */
  readonly reason?: string;
  readonly skippedTicks?: number;
}

/** What the tick loop decides for one due schedule. */
export interface TickPlan {
  /** The run to submit (its idempotencyKey names the tick), or undefined: no run (missed ticks skipped). */
  readonly submit?: { readonly tick: Date; readonly task: Task };
  /** Ticks passed over without a run. */
  readonly skippedTicks: number;
  /** The first tick skipped (for the record), when no run is submitted. */
  readonly firstSkipped?: Date;
  readonly nextRunAt: Date;
}

export interface FireRequest {
  /** The loop's clock: schedules with next_run_at at or before it are due. */
  readonly now: Date;
  /** At most this many schedules per call. */
  readonly limit: number;
  readonly plan: (schedule: Schedule) => TickPlan;
  readonly newRunId: () => string;
  /** Refuse the tick (recorded, not retried) when the tenant has this many unfinished runs. */
  readonly maxActiveRuns?: number;
  /** Ticks refused before the store was asked (e.g. the tenant's rate limit), by schedule id: the reason. */
  readonly refused?: ReadonlyMap<string, string>;
}

/** One due schedule that was fired. */
export interface FiredTick extends TickRecord {
  readonly scheduleId: string;
  readonly tenant: string;
}

export interface ScheduleListFilter {
  readonly tenant?: string;
  /** Only unpaused schedules due at or before this time. */
  readonly dueBy?: Date;
  /** Default 100, at most 500. */
  readonly limit?: number;
}

export interface ScheduleStore {
  /** Stores a new schedule with its audit entry. */
  createSchedule(schedule: NewSchedule, audit: AuditDraft): Promise<Schedule>;
  getSchedule(id: string): Promise<Schedule | undefined>;
  /** Oldest first. */
  listSchedules(filter?: ScheduleListFilter): Promise<readonly Schedule[]>;
  /** Pauses or resumes; resuming sets the next tick. Undefined when there is no such schedule. */
  setSchedulePaused(id: string, change: { readonly paused: boolean; readonly nextRunAt: Date }, audit: AuditDraft): Promise<Schedule | undefined>;
  /** False when there was no such schedule. Runs it submitted stay. */
  deleteSchedule(id: string, audit: AuditDraft): Promise<boolean>;
  /**
   * Fires the due schedules (unpaused, next_run_at ≤ now), each in one transaction: submits the
   * planned run (as the schedule's tenant, idempotency key from the plan), moves next_run_at and
   * records the tick. A schedule another caller holds or has already advanced is passed over.
   */
  fireDueSchedules(request: FireRequest): Promise<readonly FiredTick[]>;
}

export const SCHEDULE_LIST_LIMIT_MAX = 500;

export function scheduleListLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return 100;
  return Math.min(SCHEDULE_LIST_LIMIT_MAX, Math.max(1, Math.floor(limit)));
}

/** A schedule row as both adapters select it (JSON as text, times as Date or epoch ms). */
export interface ScheduleRow {
  readonly id: string;
  readonly tenant: string;
  readonly name: string | null;
  readonly spec: string;
  readonly next_run_at: Date | number;
  readonly last_run_at: Date | number | null;
  readonly last_tick: string | null;
  readonly paused: boolean | number;
  readonly created_at: Date | number;
  readonly updated_at: Date | number;
}

export function scheduleFromRow(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    spec: JSON.parse(row.spec) as Record<string, unknown>,
    nextRunAt: new Date(row.next_run_at),
    lastRunAt: row.last_run_at === null ? null : new Date(row.last_run_at),
    lastTick: row.last_tick === null ? null : (JSON.parse(row.last_tick) as TickRecord),
    paused: Boolean(row.paused),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** The record of a tick that submits nothing. */
export function skippedRecord(plan: TickPlan, schedule: Schedule): TickRecord {
  return { outcome: "missed", tick: (plan.firstSkipped ?? schedule.nextRunAt).toISOString(), skippedTicks: plan.skippedTicks };
}

/** The record with the ticks passed over on the way (run_once after downtime), when there were any. */
export function withSkipped(record: TickRecord, plan: TickPlan): TickRecord {
  return record.outcome === "missed" || plan.skippedTicks === 0 ? record : { ...record, skippedTicks: plan.skippedTicks };
}

/** The task as the schedule's tenant submits it; the empty tenant (a local store's default) is no tenant. */
export function asTenant(task: Task, tenant: string): Task {
  const { tenant: _named, ...rest } = task;
  return tenant === "" ? rest : { ...rest, tenant };
}
