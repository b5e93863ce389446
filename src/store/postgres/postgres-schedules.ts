import type pg from "pg";
import { parseTask } from "../../core/index.js";
import { tooManyActiveRuns } from "../service-rows.js";
import type { AuditDraft, AuditEntry } from "../service-store.js";
import { scheduleFromRow, scheduleListLimit, asTenant, skippedRecord, withSkipped } from "../schedule-store.js";
import type { FireRequest, FiredTick, NewSchedule, ScheduleListFilter, ScheduleRow, ScheduleStore, TickRecord } from "../schedule-store.js";
import { JOURNAL_SCHEMA_VERSION } from "../store.js";
import { sql } from "./sql.js";
import { withTransaction } from "./transaction.js";

const COLUMNS = "id, tenant, name, spec::text AS spec, next_run_at, last_run_at, last_tick::text AS last_tick, paused, created_at, updated_at";

/**
 * The schedule port on a PostgreSQL pool. A due schedule is fired in one transaction that
 * holds its row (`FOR UPDATE SKIP LOCKED`): a replica racing for the same tick skips the row,
 * and once the first commits, next_run_at has moved past the tick, so the tick is fired once.
 * Due times are compared with the caller's clock (the tick loop's `now`).
 */
export function postgresScheduleOps(pool: pg.Pool, append: (client: pg.PoolClient, draft: AuditDraft) => Promise<AuditEntry>): ScheduleStore {
  const byId = async (client: pg.Pool | pg.PoolClient, id: string) => {
    const row = (await client.query<ScheduleRow>(`SELECT ${COLUMNS} FROM schedules WHERE id = $1`, [id])).rows[0];
    return row && scheduleFromRow(row);
  };

  const fireOne = (id: string, request: FireRequest): Promise<FiredTick | undefined> =>
    withTransaction(pool, async (client) => {
      const row = (await client.query<ScheduleRow>(`SELECT ${COLUMNS} FROM schedules WHERE id = $1 AND NOT paused AND next_run_at <= $2 FOR UPDATE SKIP LOCKED`, [id, request.now])).rows[0];
      if (!row) return undefined;
      const schedule = scheduleFromRow(row);
      const plan = request.plan(schedule);
      let record: TickRecord = skippedRecord(plan, schedule);
      const refusedReason = request.refused?.get(id);
      if (plan.submit && refusedReason !== undefined) record = { outcome: "refused", tick: plan.submit.tick.toISOString(), reason: refusedReason };
      else if (plan.submit) record = await submitTick(client, schedule.id, schedule.tenant, plan.submit, request, append);
      record = withSkipped(record, plan);
    if (record.outcome === "refused") await append(client, { action: "schedule.tick_refused", actor: "system", tenant: schedule.tenant, target: id, details: { tick: record.tick, reason: record.reason ?? "" } });
      await client.query(
        `UPDATE schedules SET next_run_at = $2, last_run_at = COALESCE($3, last_run_at), last_tick = $4::json, updated_at = now() WHERE id = $1`,
        [id, plan.nextRunAt, record.outcome === "submitted" ? new Date(record.tick) : null, JSON.stringify(record)],
      );
      return { ...record, scheduleId: id, tenant: schedule.tenant };
    });

  return {
    createSchedule: (schedule: NewSchedule, audit: AuditDraft) =>
      withTransaction(pool, async (client) => {
        await client.query(`INSERT INTO schedules (id, tenant, name, spec, next_run_at, paused) VALUES ($1, $2, $3, $4::json, $5, $6)`, [
          schedule.id,
          schedule.tenant,
          schedule.name,
          JSON.stringify(schedule.spec),
          schedule.nextRunAt,
          schedule.paused,
        ]);
        await append(client, { ...audit, target: schedule.id });
        return mustBe(await byId(client, schedule.id));
      }),
    getSchedule: (id) => byId(pool, id),
    async listSchedules(filter: ScheduleListFilter = {}) {
      const { rows } = await pool.query<ScheduleRow>(
        `SELECT ${COLUMNS} FROM schedules WHERE ($1::text IS NULL OR tenant = $1) AND ($2::timestamptz IS NULL OR (NOT paused AND next_run_at <= $2))
         ORDER BY created_at, id LIMIT $3`,
        [filter.tenant ?? null, filter.dueBy ?? null, scheduleListLimit(filter.limit)],
      );
      return rows.map(scheduleFromRow);
    },
    setSchedulePaused: (id, change, audit) =>
      withTransaction(pool, async (client) => {
        const { rowCount } = await client.query("UPDATE schedules SET paused = $2, next_run_at = $3, updated_at = now() WHERE id = $1", [id, change.paused, change.nextRunAt]);
        if (rowCount !== 1) return undefined;
        await append(client, { ...audit, target: id });
        return byId(client, id);
      }),
    deleteSchedule: (id, audit) =>
      withTransaction(pool, async (client) => {
        if ((await client.query("DELETE FROM schedules WHERE id = $1", [id])).rowCount !== 1) return false;
        await append(client, { ...audit, target: id });
        return true;
      }),
    async fireDueSchedules(request: FireRequest) {
      const { rows } = await pool.query<{ id: string }>("SELECT id FROM schedules WHERE NOT paused AND next_run_at <= $1 ORDER BY next_run_at, id LIMIT $2", [request.now, Math.max(1, request.limit)]);
      const fired: FiredTick[] = [];
      for (const { id } of rows) {
        const tick = await fireOne(id, request);
        if (tick) fired.push(tick);
      }
      return fired;
    },
  };
}

/** Submits the tick's run as the schedule's tenant, under the tenant's submit lock (as `submitAudited`). */
async function submitTick(
  client: pg.PoolClient,
  scheduleId: string,
  tenant: string,
  submit: NonNullable<ReturnType<FireRequest["plan"]>["submit"]>,
  request: FireRequest,
  append: (client: pg.PoolClient, draft: AuditDraft) => Promise<AuditEntry>,
): Promise<TickRecord> {
  const task = parseTask(asTenant(submit.task, tenant));
  const tick = submit.tick.toISOString();
  const key = task.idempotencyKey ?? null;
  await client.query("SELECT pg_advisory_xact_lock(hashtext('cs-agents tenant ' || current_schema() || ' ' || $1))", [tenant]);
  const existing = key === null ? undefined : (await client.query<{ id: string }>("SELECT id FROM runs WHERE tenant = $1 AND idempotency_key = $2", [tenant, key])).rows[0];
  if (existing) return { outcome: "duplicate", tick, runId: existing.id };
  if (request.maxActiveRuns !== undefined) {
    const { rows } = await client.query<{ n: number }>({ ...sql.activeRunsOfTenant, values: [tenant, request.maxActiveRuns] });
    if ((rows[0]?.n ?? 0) >= request.maxActiveRuns) return { outcome: "refused", tick, reason: tooManyActiveRuns(request.maxActiveRuns).code };
  }
  const runId = request.newRunId();
  await client.query(
    `INSERT INTO runs (id, tenant, idempotency_key, task, status, schema_version, submitted_by) VALUES ($1, $2, $3, $4::json, 'queued', $5, $6)`,
    [runId, tenant, key, JSON.stringify(task), JOURNAL_SCHEMA_VERSION, `schedule:${scheduleId}`],
  );
  await append(client, { action: "task.submitted", actor: `schedule:${scheduleId}`, tenant, target: runId, details: { scheduleId, tick, ...(key ? { idempotencyKey: key } : {}) } });
  return { outcome: "submitted", tick, runId };
}

function mustBe<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the schedule just written cannot be read back");
  return value;
}
