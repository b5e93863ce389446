import type pg from "pg";
import { parseTask, taskPriority } from "../../core/index.js";
import { FORK_EPOCH, FORK_LIST_LIMIT, forkLinksOf, forkStepOutput, planFork } from "../fork-rules.js";
import type { ForkStepRow, ForkStore } from "../fork-rules.js";
import { runFromRow } from "../rows.js";
import type { RunRow } from "../rows.js";
import { tooManyActiveRuns } from "../service-rows.js";
import type { AuditDraft, AuditEntry, Submission } from "../service-store.js";
import { hasCode, mustExist, runExistsError, runNotFoundError } from "../store-rules.js";
import { JOURNAL_SCHEMA_VERSION } from "../store.js";
import { sql } from "./sql.js";
import { withTransaction } from "./transaction.js";

const RUN_COLUMNS = "id, task::text AS task, status, plan::text AS plan, result::text AS result, error::text AS error, created_at, updated_at, request_hash, submitted_by";
type ForkRunRow = RunRow & { readonly request_hash: string | null; readonly submitted_by: string | null };

/**
 * Forks on a PostgreSQL pool: the run, its seeded steps, its link, its first event and the audit
 * entry in one transaction, under the tenant's submit lock (so the idempotency key and the cap
 * hold as for a submit). The parent's steps are only read.
 */
export function postgresForkOps(pool: pg.Pool, append: (client: pg.PoolClient, draft: AuditDraft) => Promise<AuditEntry>): ForkStore {
  return {
    forkAudited: (request, options, audit) =>
      withTransaction(pool, async (client): Promise<Submission> => {
        const task = parseTask(request.task);
        const tenant = task.tenant ?? "";
        const key = task.idempotencyKey ?? null;
        // The same lock as submitAudited's: one submitter per tenant at a time.
        await client.query("SELECT pg_advisory_xact_lock(hashtext('cs-agents tenant ' || current_schema() || ' ' || $1))", [tenant]);
        const existing = key === null ? undefined : (await client.query<ForkRunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE tenant = $1 AND idempotency_key = $2`, [tenant, key])).rows[0];
        if (existing) return { run: runFromRow(existing), created: false, requestHash: existing.request_hash, submittedBy: existing.submitted_by };
        if ((await client.query("SELECT 1 FROM runs WHERE id = $1", [request.parentId])).rowCount === 0) throw runNotFoundError(request.parentId);
        const steps = (await client.query<ForkStepRow>("SELECT key, kind, status FROM steps WHERE run_id = $1 ORDER BY seq", [request.parentId])).rows;
        const plan = planFork(request.parentId, steps, request.stepKey, request.output !== undefined);
        if (options.maxActiveRuns !== undefined) {
          const { rows } = await client.query<{ n: number }>({ ...sql.activeRunsOfTenant, values: [tenant, options.maxActiveRuns] });
          if ((rows[0]?.n ?? 0) >= options.maxActiveRuns) throw tooManyActiveRuns(options.maxActiveRuns);
        }
        const runId = options.runId;
        const seeded = plan.copy.length + (plan.replaced ? 1 : 0);
        try {
          await client.query(
            `INSERT INTO runs (id, tenant, idempotency_key, task, status, schema_version, request_hash, submitted_by, priority, forked_from_run, forked_from_step, step_seq, lease_epoch)
             VALUES ($1, $2, $3, $4::json, 'queued', $5, $6, $7, $8, $9, $10, $11, ${FORK_EPOCH})`,
            [runId, tenant, key, JSON.stringify(task), JOURNAL_SCHEMA_VERSION, options.requestHash, options.submittedBy, taskPriority(task), request.parentId, request.stepKey, seeded],
          );
        } catch (error) {
          if (hasCode(error, "23505")) throw runExistsError(runId, error);
          throw error;
        }
        // The copies keep their values as stored (a reference to the artifact store stays one)
        // and their order, as written under the fork's FORK_EPOCH. The run's step_seq counts them.
        await client.query(
          `INSERT INTO steps (run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch)
           SELECT $1, key, row_number() OVER (ORDER BY seq), kind, status, input, output, error, attempts, started_at, finished_at, ${FORK_EPOCH}
           FROM steps WHERE run_id = $2 AND key = ANY($3::text[])`,
          [runId, request.parentId, plan.copy],
        );
        if (plan.replaced && request.output) {
          const output = JSON.stringify(forkStepOutput(plan.replaced.kind, request.output.value)) ?? "null";
          await client.query(
            `INSERT INTO steps (run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch)
             SELECT $1, key, $4, kind, 'succeeded', input, $5::json, NULL, attempts, now(), now(), ${FORK_EPOCH}
             FROM steps WHERE run_id = $2 AND key = $3`,
            [runId, request.parentId, plan.replaced.key, seeded, output],
          );
        }
        await client.query("UPDATE runs SET plan = (SELECT output FROM steps WHERE run_id = $1 AND key = 'plan' AND status = 'succeeded') WHERE id = $1", [runId]);
        const inserted = (await client.query<ForkRunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [runId])).rows[0];
        const forkedFrom = { runId: request.parentId, step: request.stepKey };
        const at = (inserted?.created_at instanceof Date ? inserted.created_at : new Date()).toISOString();
        await insertEvent(client, runId, "run/1", "run.forked", { runId, status: "queued", at, forkedFrom });
        await insertEvent(client, request.parentId, `fork/${runId}`, "fork.created", { runId: request.parentId, fork: { id: runId, step: request.stepKey } });
        await append(client, { ...audit, target: runId });
        return { run: runFromRow(mustExist(inserted, runId)), created: true, requestHash: options.requestHash, submittedBy: options.submittedBy };
      }),
    async forkLinks(runId) {
      // One round trip: the run's origin on every row, its forks (if any) one per row.
      const { rows } = await pool.query<{ origin_run: string | null; origin_step: string | null; id: string | null; status: string; step: string | null; created_at: Date }>(
        `SELECT r.forked_from_run AS origin_run, r.forked_from_step AS origin_step, f.id, f.status, f.step, f.created_at
         FROM runs r LEFT JOIN LATERAL (
           SELECT id, status, forked_from_step AS step, created_at FROM runs WHERE forked_from_run = r.id ORDER BY created_at, id LIMIT $2
         ) f ON true
         WHERE r.id = $1
         ORDER BY f.created_at, f.id`,
        [runId, FORK_LIST_LIMIT],
      );
      return forkLinksOf(rows[0] && { run: rows[0].origin_run, step: rows[0].origin_step }, rows.flatMap((row) => (row.id === null ? [] : [{ ...row, id: row.id }])));
    },
  };
}

/** An event with the run's next id, under the lock syncRunEvents takes for the run. */
async function insertEvent(client: pg.PoolClient, runId: string, key: string, type: string, data: Record<string, unknown>): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext('cs-agents events ' || current_schema() || ' ' || $1))", [runId]);
  await client.query("INSERT INTO run_events (run_id, id, key, type, data) SELECT $1, COALESCE(MAX(id), 0) + 1, $2, $3, $4::json FROM run_events WHERE run_id = $1", [runId, key, type, JSON.stringify(data)]);
}
