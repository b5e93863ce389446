import type Database from "better-sqlite3";
import { parseTask, taskPriority } from "../../core/index.js";
import { FORK_EPOCH, FORK_LIST_LIMIT, forkLinksOf, forkStepOutput, planFork } from "../fork-rules.js";
import type { ForkRequest, ForkRow, ForkStepRow, ForkStore } from "../fork-rules.js";
import { runFromRow } from "../rows.js";
import type { RunRow } from "../rows.js";
import { tooManyActiveRuns } from "../service-rows.js";
import type { AuditDraft, AuditEntry, AuditedSubmitOptions, Submission } from "../service-store.js";
import { hasCode, mustExist, runExistsError, runNotFoundError } from "../store-rules.js";
import { JOURNAL_SCHEMA_VERSION } from "../store.js";
import { prepareActiveRuns } from "./sqlite-service.js";

const RUN_COLUMNS = "id, task, status, plan, result, error, created_at, updated_at, request_hash, submitted_by";
type ForkRunRow = RunRow & { readonly request_hash: string | null; readonly submitted_by: string | null };

/**
 * Forks on a SQLite connection: the run, its seeded steps, its link, its first event and the
 * audit entry in one IMMEDIATE transaction. `append` adds to the audit chain inside it.
 */
export function sqliteForkOps(db: Database.Database, append: (draft: AuditDraft) => AuditEntry): ForkStore {
  let cached: ReturnType<typeof prepare> | undefined;
  const sql = () => (cached ??= prepare(db));

  const fork = db.transaction((request: ForkRequest, options: AuditedSubmitOptions, audit: AuditDraft): Submission => {
    const s = sql();
    const task = request.task;
    const tenant = task.tenant ?? "";
    const key = task.idempotencyKey ?? null;
    const existing = key === null ? undefined : s.runByKey.get({ tenant, key });
    if (existing) return { run: runFromRow(existing), created: false, requestHash: existing.request_hash, submittedBy: existing.submitted_by };
    if (!s.runExists.get(request.parentId)) throw runNotFoundError(request.parentId);
    const plan = planFork(request.parentId, s.stepRows.all(request.parentId), request.stepKey, request.output !== undefined);
    if (options.maxActiveRuns !== undefined && (s.activeRuns.get(tenant, options.maxActiveRuns) ?? 0) >= options.maxActiveRuns) throw tooManyActiveRuns(options.maxActiveRuns);
    const now = Date.now();
    const runId = options.runId;
    try {
      s.insertRun.run({
        id: runId,
        tenant,
        key,
        task: JSON.stringify(task),
        priority: taskPriority(task),
        schemaVersion: JOURNAL_SCHEMA_VERSION,
        now,
        requestHash: options.requestHash,
        submittedBy: options.submittedBy,
        parentId: request.parentId,
        step: request.stepKey,
      });
    } catch (error) {
      if (hasCode(error, "SQLITE_CONSTRAINT_PRIMARYKEY")) throw runExistsError(runId, error);
      throw error;
    }
    s.copySteps.run({ runId, parentId: request.parentId, keys: JSON.stringify(plan.copy) });
    if (plan.replaced && request.output) {
      const output = JSON.stringify(forkStepOutput(plan.replaced.kind, request.output.value)) ?? "null";
      s.replaceStep.run({ runId, parentId: request.parentId, key: plan.replaced.key, seq: plan.copy.length + 1, output, now });
    }
    s.setPlan.run(runId);
    const forkedFrom = { runId: request.parentId, step: request.stepKey };
    s.insertEvent.run({ runId, key: "run/1", type: "run.forked", data: JSON.stringify({ runId, status: "queued", at: new Date(now).toISOString(), forkedFrom }) });
    s.insertEvent.run({ runId: request.parentId, key: `fork/${runId}`, type: "fork.created", data: JSON.stringify({ runId: request.parentId, fork: { id: runId, step: request.stepKey } }) });
    append({ ...audit, target: runId });
    const run = runFromRow(mustExist(s.runById.get(runId), runId));
    return { run, created: true, requestHash: options.requestHash, submittedBy: options.submittedBy };
  });

  return {
    async forkAudited(request, options, audit) {
      return fork.immediate({ ...request, task: parseTask(request.task) }, options, audit);
    },
    async forkLinks(runId) {
      const s = sql();
      const origin = s.origin.get(runId);
      return forkLinksOf(origin, origin?.has_forks ? s.forks.all(runId) : []);
    },
  };
}

function prepare(db: Database.Database) {
  const q = <P extends unknown[] | object, R = unknown>(text: string) => db.prepare<P extends unknown[] ? P : [P], R>(text);
  return {
    runById: q<[string], ForkRunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    runByKey: q<{ tenant: string; key: string }, ForkRunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE tenant = @tenant AND idempotency_key = @key`),
    runExists: q<[string], { id: string }>("SELECT id FROM runs WHERE id = ?"),
    activeRuns: prepareActiveRuns(db),
    stepRows: q<[string], ForkStepRow>("SELECT key, kind, status FROM steps WHERE run_id = ? ORDER BY seq"),
    insertRun: q<{ id: string; tenant: string; key: string | null; task: string; priority: number; schemaVersion: number; now: number; requestHash: string; submittedBy: string; parentId: string; step: string }>(
      `INSERT INTO runs (id, tenant, idempotency_key, task, priority, status, schema_version, created_at, updated_at, request_hash, submitted_by, forked_from_run, forked_from_step, lease_epoch)
       VALUES (@id, @tenant, @key, @task, @priority, 'queued', @schemaVersion, @now, @now, @requestHash, @submittedBy, @parentId, @step, ${FORK_EPOCH})`,
    ),
    // The copies keep their values as stored (a reference to the artifact store stays one) and
    // their order, as written under the fork's FORK_EPOCH.
    copySteps: q<{ runId: string; parentId: string; keys: string }>(
      `INSERT INTO steps (run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch)
       SELECT @runId, key, ROW_NUMBER() OVER (ORDER BY seq), kind, status, input, output, error, attempts, started_at, finished_at, ${FORK_EPOCH}
       FROM steps WHERE run_id = @parentId AND key IN (SELECT value FROM json_each(@keys))`,
    ),
    replaceStep: q<{ runId: string; parentId: string; key: string; seq: number; output: string; now: number }>(
      `INSERT INTO steps (run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch)
       SELECT @runId, key, @seq, kind, 'succeeded', input, @output, NULL, attempts, @now, @now, ${FORK_EPOCH}
       FROM steps WHERE run_id = @parentId AND key = @key`,
    ),
    setPlan: q<[string]>("UPDATE runs SET plan = (SELECT output FROM steps WHERE run_id = runs.id AND key = 'plan' AND status = 'succeeded') WHERE id = ?"),
    insertEvent: q<{ runId: string; key: string; type: string; data: string }>(
      `INSERT INTO run_events (run_id, id, key, type, data)
       SELECT @runId, COALESCE(MAX(id), 0) + 1, @key, @type, @data FROM run_events WHERE run_id = @runId`,
    ),
    // A run's page reads this on every view and forks are rare: one statement tells the origin
    // and whether there are any forks to list.
    origin: q<[string], { run: string | null; step: string | null; has_forks: number }>(
      "SELECT forked_from_run AS run, forked_from_step AS step, EXISTS (SELECT 1 FROM runs f WHERE f.forked_from_run = runs.id) AS has_forks FROM runs WHERE id = ?",
    ),
    // The limit is written in: a bound LIMIT makes this statement twice as slow in SQLite.
    forks: q<[string], ForkRow>(`SELECT id, status, forked_from_step AS step, created_at FROM runs WHERE forked_from_run = ? ORDER BY created_at, id LIMIT ${FORK_LIST_LIMIT}`),
  };
}
