import type Database from "better-sqlite3";
import { parseTask } from "../../core/index.js";
import { tooManyActiveRuns } from "../service-rows.js";
import type { AuditDraft, AuditEntry } from "../service-store.js";
import { scheduleFromRow, scheduleListLimit, asTenant, skippedRecord, withSkipped } from "../schedule-store.js";
import type { FireRequest, FiredTick, NewSchedule, Schedule, ScheduleListFilter, ScheduleRow, ScheduleStore, TickRecord } from "../schedule-store.js";
import { JOURNAL_SCHEMA_VERSION } from "../store.js";
import { prepareActiveRuns } from "./sqlite-service.js";

/**
 * The schedule port on a SQLite connection. Each due schedule is fired in one IMMEDIATE
 * transaction: SQLite has one writer, so a second process sees the tick already moved on and
 * passes the schedule over (the update is also a compare-and-set on next_run_at).
 */
export function sqliteScheduleOps(db: Database.Database, append: (draft: AuditDraft) => AuditEntry): ScheduleStore {
  let cached: ReturnType<typeof prepare> | undefined;
  const sql = () => (cached ??= prepare(db));
  const byId = (id: string): Schedule | undefined => {
    const row = sql().byId.get(id);
    return row && scheduleFromRow(row);
  };

  const fireOne = (id: string, request: FireRequest): FiredTick | undefined => {
    const s = sql();
    const row = s.byId.get(id);
    const nowMs = request.now.getTime();
    if (!row || row.paused || Number(row.next_run_at) > nowMs) return undefined;
    const schedule = scheduleFromRow(row);
    const plan = request.plan(schedule);
    let record: TickRecord = skippedRecord(plan, schedule);
    const refusedReason = request.refused?.get(id);
    if (plan.submit && refusedReason !== undefined) record = { outcome: "refused", tick: plan.submit.tick.toISOString(), reason: refusedReason };
    else if (plan.submit) {
      const task = parseTask(asTenant(plan.submit.task, schedule.tenant));
      const tick = plan.submit.tick.toISOString();
      const key = task.idempotencyKey ?? null;
      const existing = key === null ? undefined : s.runByKey.get({ tenant: schedule.tenant, key });
      if (existing !== undefined) record = { outcome: "duplicate", tick, runId: existing };
      else if (request.maxActiveRuns !== undefined && (s.activeRuns.get(schedule.tenant, request.maxActiveRuns) ?? 0) >= request.maxActiveRuns) {
        record = { outcome: "refused", tick, reason: tooManyActiveRuns(request.maxActiveRuns).code };
      } else {
        const runId = request.newRunId();
        s.insertRun.run({ id: runId, tenant: schedule.tenant, key, task: JSON.stringify(task), schemaVersion: JOURNAL_SCHEMA_VERSION, now: Date.now(), submittedBy: `schedule:${id}` });
        append({ action: "task.submitted", actor: `schedule:${id}`, tenant: schedule.tenant, target: runId, details: { scheduleId: id, tick, ...(key ? { idempotencyKey: key } : {}) } });
        record = { outcome: "submitted", tick, runId };
      }
    }
    record = withSkipped(record, plan);
    if (record.outcome === "refused") append({ action: "schedule.tick_refused", actor: "system", tenant: schedule.tenant, target: id, details: { tick: record.tick, reason: record.reason ?? "" } });
    const lastRunAt = record.outcome === "submitted" ? Date.parse(record.tick) : null;
    const moved = s.advance.run({ id, expected: Number(row.next_run_at), next: plan.nextRunAt.getTime(), lastRunAt, lastTick: JSON.stringify(record), now: Date.now() }).changes;
    // Not moved: someone else advanced it between the read and here; the transaction undoes the run.
    if (moved !== 1) throw new TickLost();
    return { ...record, scheduleId: id, tenant: schedule.tenant };
  };
  const fireSaved = db.transaction(fireOne);

  return {
    async createSchedule(schedule: NewSchedule, audit: AuditDraft) {
      const now = Date.now();
      db.transaction(() => {
        sql().insert.run({ id: schedule.id, tenant: schedule.tenant, name: schedule.name, spec: JSON.stringify(schedule.spec), next: schedule.nextRunAt.getTime(), paused: Number(schedule.paused), now });
        append({ ...audit, target: schedule.id });
      }).immediate();
      return byId(schedule.id) as Schedule;
    },
    async getSchedule(id: string) {
      return byId(id);
    },
    async listSchedules(filter: ScheduleListFilter = {}) {
      const rows = sql().list.all({ tenant: filter.tenant ?? null, dueBy: filter.dueBy?.getTime() ?? null, limit: scheduleListLimit(filter.limit) });
      return rows.map(scheduleFromRow);
    },
    async setSchedulePaused(id: string, change: { readonly paused: boolean; readonly nextRunAt: Date }, audit: AuditDraft) {
      return db
        .transaction(() => {
          if (sql().setPaused.run({ id, paused: Number(change.paused), next: change.nextRunAt.getTime(), now: Date.now() }).changes !== 1) return undefined;
          append({ ...audit, target: id });
          return byId(id);
        })
        .immediate();
    },
    async deleteSchedule(id: string, audit: AuditDraft) {
      return db
        .transaction(() => {
          if (sql().remove.run(id).changes !== 1) return false;
          append({ ...audit, target: id });
          return true;
        })
        .immediate();
    },
    async fireDueSchedules(request: FireRequest) {
      const due = sql().due.all({ now: request.now.getTime(), limit: Math.max(1, request.limit) });
      const fired: FiredTick[] = [];
      for (const id of due) {
        try {
          const tick = fireSaved.immediate(id, request);
          if (tick) fired.push(tick);
        } catch (error) {
          if (!(error instanceof TickLost)) throw error;
        }
      }
      return fired;
    },
  };
}

/** Another writer moved the schedule's tick first: this attempt is rolled back and passed over. */
class TickLost extends Error {}

const COLUMNS = "id, tenant, name, spec, next_run_at, last_run_at, last_tick, paused, created_at, updated_at";

function prepare(db: Database.Database) {
  const q = <P extends unknown[] | object, R = unknown>(text: string) => db.prepare<P extends unknown[] ? P : [P], R>(text);
  return {
    byId: q<[string], ScheduleRow>(`SELECT ${COLUMNS} FROM schedules WHERE id = ?`),
    list: q<{ tenant: string | null; dueBy: number | null; limit: number }, ScheduleRow>(
      `SELECT ${COLUMNS} FROM schedules WHERE (@tenant IS NULL OR tenant = @tenant) AND (@dueBy IS NULL OR (paused = 0 AND next_run_at <= @dueBy))
       ORDER BY created_at, id LIMIT @limit`,
    ),
    due: db.prepare<{ now: number; limit: number }, string>("SELECT id FROM schedules WHERE paused = 0 AND next_run_at <= @now ORDER BY next_run_at, id LIMIT @limit").pluck(),
    insert: q<{ id: string; tenant: string; name: string | null; spec: string; next: number; paused: number; now: number }>(
      `INSERT INTO schedules (id, tenant, name, spec, next_run_at, paused, created_at, updated_at) VALUES (@id, @tenant, @name, @spec, @next, @paused, @now, @now)`,
    ),
    setPaused: q<{ id: string; paused: number; next: number; now: number }>("UPDATE schedules SET paused = @paused, next_run_at = @next, updated_at = @now WHERE id = @id"),
    remove: q<[string]>("DELETE FROM schedules WHERE id = ?"),
    advance: q<{ id: string; expected: number; next: number; lastRunAt: number | null; lastTick: string; now: number }>(
      `UPDATE schedules SET next_run_at = @next, last_run_at = COALESCE(@lastRunAt, last_run_at), last_tick = @lastTick, updated_at = @now
       WHERE id = @id AND next_run_at = @expected AND paused = 0`,
    ),
    runByKey: db.prepare<{ tenant: string; key: string }, string>("SELECT id FROM runs WHERE tenant = @tenant AND idempotency_key = @key").pluck(),
    activeRuns: prepareActiveRuns(db),
    insertRun: q<{ id: string; tenant: string; key: string | null; task: string; schemaVersion: number; now: number; submittedBy: string }>(
      `INSERT INTO runs (id, tenant, idempotency_key, task, status, schema_version, created_at, updated_at, submitted_by)
       VALUES (@id, @tenant, @key, @task, 'queued', @schemaVersion, @now, @now, @submittedBy)`,
    ),
  };
}
