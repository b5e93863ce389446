import type pg from "pg";
import { parseTask } from "../../core/index.js";
import type { Task } from "../../core/index.js";
import { pendingMigrations } from "../migration.js";
import { runFromRow } from "../rows.js";
import { auditFromRow } from "../service-rows.js";
import type { AuditRow } from "../service-rows.js";
import { auditListLimit, sealAuditEntry } from "../service-store.js";
import type { AuditDraft, AuditEntry, AuditStore, AuditedRunStore, RunEventStore, SchemaStore, Submission } from "../service-store.js";
import { answerOutput, answerRefusal, inputNotWaitingError, ACTIVE_RUNS, decisionEffect, notAmbiguousError, runNotFoundError, stepNotFoundError } from "../store-rules.js";
import { POSTGRES_MIGRATIONS } from "./migrations.js";
import { withTransaction } from "./transaction.js";
import { GroupCommit, type GroupItem } from "./group-commit.js";
import { RUN_COLUMNS, submitGroup } from "./submit-group.js";
import type { PendingSubmission, ServiceRunRow } from "./submit-group.js";
import type { Settled } from "../settled.js";

const AUDIT_COLUMNS = "seq, at, tenant, actor, action, target, details::text AS details, prev_hash, hash";

interface SubmissionEntry extends GroupItem {
  readonly submission: PendingSubmission;
  settle(outcome: Settled<Submission>): void;
}
type Ops = AuditStore & AuditedRunStore & RunEventStore & SchemaStore & {
  /** Appends on the caller's connection, inside its open transaction (fenced journal writes). */
  appendWithin(client: pg.PoolClient, draft: AuditDraft): Promise<AuditEntry>;
};

/**
 * The service ports on a PostgreSQL pool. Appends to the audit chain take a transaction-scoped
 * advisory lock, so concurrent writers on any replica extend the chain one at a time.
 */
export function postgresServiceOps(pool: pg.Pool): Ops {
  const append = async (client: pg.PoolClient, draft: AuditDraft): Promise<AuditEntry> => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('cs-agents audit ' || current_schema()))");
    const head = (await client.query<{ seq: string; hash: string }>("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")).rows[0];
    const entry = sealAuditEntry(head && { seq: Number(head.seq), hash: head.hash }, draft);
    await client.query(
      "INSERT INTO audit_log (seq, at, tenant, actor, action, target, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8, $9)",
      [entry.seq, entry.at, entry.tenant, entry.actor, entry.action, entry.target, JSON.stringify(entry.details), entry.prevHash, entry.hash],
    );
    return entry;
  };
  // Submissions that arrive while a group is being committed go together in the next one: one
  // transaction, the locks taken once, each caller answered only after the commit.
  const submissions = new GroupCommit<SubmissionEntry>(async (group) => {
    const outcomes = await withTransaction(pool, (client) => submitGroup(client, group.map((e) => e.submission), append));
    group.forEach((entry, i) => entry.settle(outcomes[i] ?? { ok: false, error: new Error("group commit returned no outcome") }));
  });
  const runById = async (client: pg.PoolClient | pg.Pool, runId: string) =>
    (await client.query<ServiceRunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [runId])).rows[0];

  return {
    appendAudit: (draft) => withTransaction(pool, (client) => append(client, draft)),
    appendWithin: append,
    async listAudit(filter = {}) {
      const { rows } = await pool.query<AuditRow>(
        `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 AND ($2::text IS NULL OR tenant = $2) ORDER BY seq LIMIT $3`,
        [filter.afterSeq ?? 0, filter.tenant ?? null, auditListLimit(filter.limit)],
      );
      return rows.map(auditFromRow);
    },
    async auditHead() {
      const row = (await pool.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1`)).rows[0];
      return row && auditFromRow(row);
    },
    submitAudited: (input: Task, options, audit) =>
      // Parsed here, so a malformed task fails alone and at once.
      new Promise<Submission>((resolve, reject) => {
        const task = parseTask(input);
        submissions.add({ keys: [], submission: { task, options, audit }, settle: (outcome) => (outcome.ok ? resolve(outcome.value) : reject(outcome.error)), reject });
      }),
    cancel: (runId, audit) =>
      withTransaction(pool, async (client) => {
        const error = JSON.stringify({ code: "CANCELLED", message: `cancelled by ${audit.actor}` });
        const { rowCount } = await client.query(
          `UPDATE runs SET status = 'cancelled', error = $2::json, finished_at = now(), updated_at = now(), lease_owner = NULL, lease_expires_at = NULL
           WHERE id = $1 AND ${ACTIVE_RUNS}`,
          [runId, error],
        );
        const row = await runById(client, runId);
        if (!row) return undefined;
        const cancelled = rowCount === 1;
        if (cancelled) await append(client, { ...audit, target: runId });
        return { run: runFromRow(row), cancelled };
      }),
    decideAudited: (runId, stepKey, decision, audit) =>
      withTransaction(pool, async (client) => {
        if ((await client.query("SELECT status FROM runs WHERE id = $1 FOR UPDATE", [runId])).rowCount === 0) throw runNotFoundError(runId);
        const step = (await client.query<{ status: string }>("SELECT status FROM steps WHERE run_id = $1 AND key = $2", [runId, stepKey])).rows[0];
        if (!step) {
          const { rows } = await client.query<{ key: string }>("SELECT key FROM steps WHERE run_id = $1 AND status = 'ambiguous' ORDER BY seq", [runId]);
          throw stepNotFoundError(runId, stepKey, rows.map((r) => r.key));
        }
        if (step.status !== "ambiguous") throw notAmbiguousError(runId, stepKey, step.status);
        const effect = decisionEffect(decision);
        if (effect.kind === "delete") await client.query("DELETE FROM steps WHERE run_id = $1 AND key = $2", [runId, stepKey]);
        else {
          await client.query("UPDATE steps SET status = $3, output = $4::json, error = $5::json, finished_at = now() WHERE run_id = $1 AND key = $2", [
            runId,
            stepKey,
            effect.status,
            effect.output,
            effect.error,
          ]);
        }
        await client.query(
          "UPDATE runs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, lease_epoch = lease_epoch + 1, updated_at = now() WHERE id = $1 AND status = 'waiting_approval'",
          [runId],
        );
        await append(client, { ...audit, target: runId });
      }),
    answerAudited: (runId, stepKey, answer, audit) =>
      withTransaction(pool, async (client) => {
        // Lock the run first: a concurrent answer waits instead of queueing it twice.
        const run = (await client.query<{ status: string }>("SELECT status FROM runs WHERE id = $1 FOR UPDATE", [runId])).rows[0];
        if (!run) throw runNotFoundError(runId);
        const step = (await client.query<{ kind: string; status: string }>("SELECT kind, status FROM steps WHERE run_id = $1 AND key = $2", [runId, stepKey])).rows[0];
        const why = answerRefusal(run.status, step);
        if (why) throw inputNotWaitingError(runId, stepKey, why);
        await client.query("UPDATE steps SET status = 'succeeded', output = $3::json, error = NULL, finished_at = now() WHERE run_id = $1 AND key = $2", [runId, stepKey, answerOutput(answer)]);
        await client.query(
          "UPDATE runs SET status = 'queued', wake_at = NULL, lease_owner = NULL, lease_expires_at = NULL, lease_epoch = lease_epoch + 1, updated_at = now() WHERE id = $1 AND status = 'waiting_input'",
          [runId],
        );
        await append(client, { ...audit, target: runId });
      }),
    async submission(runId) {
      const row = (await pool.query<{ request_hash: string | null; submitted_by: string | null }>("SELECT request_hash, submitted_by FROM runs WHERE id = $1", [runId])).rows[0];
      return row && { requestHash: row.request_hash, submittedBy: row.submitted_by };
    },
    async syncRunEvents(runId, candidates) {
      if (candidates.length === 0) return;
      await withTransaction(pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('cs-agents events ' || current_schema() || ' ' || $1))", [runId]);
        await client.query(
          `INSERT INTO run_events (run_id, id, key, type, data)
           SELECT $1, (SELECT COALESCE(MAX(id), 0) FROM run_events WHERE run_id = $1) + row_number() OVER (ORDER BY c.ord), c.key, c.type, c.data::json
           FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS c(key, type, data, ord)
           WHERE EXISTS (SELECT 1 FROM runs WHERE id = $1)
             AND NOT EXISTS (SELECT 1 FROM run_events e WHERE e.run_id = $1 AND e.key = c.key)`,
          [runId, candidates.map((c) => c.key), candidates.map((c) => c.type), candidates.map((c) => JSON.stringify(c.data))],
        );
      });
    },
    async listRunEvents(runId, afterId, limit = 500) {
      const { rows } = await pool.query<{ id: number; type: string; data: string }>(
        "SELECT id, type, data::text AS data FROM run_events WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        [runId, afterId, limit],
      );
      return rows.map((row) => ({ id: row.id, type: row.type, data: JSON.parse(row.data) as Record<string, unknown> }));
    },
    async pendingMigrations() {
      const exists = (await pool.query("SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL")).rowCount === 1;
      const applied = exists ? (await pool.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version) : [];
      return pendingMigrations(POSTGRES_MIGRATIONS, new Set(applied)).map((m) => m.version);
    },
  };
}
