import type Database from "better-sqlite3";
import { CsAgentsError, parseTask, taskPriority } from "../../core/index.js";
import type { Run, Task } from "../../core/index.js";
import { pendingMigrations } from "../migration.js";
import { runFromRow } from "../rows.js";
import type { RunRow } from "../rows.js";
import { auditListLimit, sealAuditEntry } from "../service-store.js";
import type {
  AuditDraft,
  AuditEntry,
  AuditListFilter,
  AuditStore,
  AuditedRunStore,
  AuditedSubmitOptions,
  RunEvent,
  RunEventCandidate,
  RunEventStore,
  SchemaStore,
  Submission,
} from "../service-store.js";
import { answerOutput, answerRefusal, decisionEffect, inputNotWaitingError, hasCode, mustExist, notAmbiguousError, runExistsError, runNotFoundError, stepNotFoundError } from "../store-rules.js";
import { JOURNAL_SCHEMA_VERSION } from "../store.js";
import { SQLITE_ACTIVE_RUNS } from "./statements.js";
import type { AmbiguousDecision } from "../store.js";
import { SQLITE_MIGRATIONS } from "./migrations.js";
import { TurnGroup } from "./turn-group.js";
import type { Settled } from "./turn-group.js";
import { auditFromRow, tooManyActiveRuns } from "../service-rows.js";
import type { AuditRow } from "../service-rows.js";

const RUN_COLUMNS = "id, task, status, plan, result, error, created_at, updated_at";

type Ops = AuditStore & AuditedRunStore & RunEventStore & SchemaStore & {
  /** Appends inside the caller's open transaction (the store's fenced journal writes). */
  appendWithin(draft: AuditDraft): AuditEntry;
  /** Commits the submissions waiting for the end of this turn (before the store closes). */
  flushSubmissions(): void;
};

interface PendingSubmission {
  readonly task: Task;
  readonly options: AuditedSubmitOptions;
  readonly audit: AuditDraft;
}

/**
 * The service ports on a SQLite connection. Every change runs in one IMMEDIATE transaction,
 * so the audit chain's head cannot move between reading it and appending to it.
 */
export function sqliteServiceOps(db: Database.Database): Ops {
  let cached: ReturnType<typeof prepare> | undefined;
  const sql = () => (cached ??= prepare(db));

  const append = (draft: AuditDraft): AuditEntry => {
    const entry = sealAuditEntry(sql().auditHead.get(), draft);
    sql().insertAudit.run(auditRow(entry));
    return entry;
  };

  /**
   * The chain's head while a group of submissions is being committed: read once per group and
   * carried from one entry to the next (every writer goes through this connection, and the
   * group's transaction holds the write lock). Moved only once an entry is written.
   */
  let groupHead: { seq: number; hash: string } | undefined;

  /**
   * Each capped tenant's unfinished runs while a group is being committed: counted once per
   * group (up to the cap), then carried from one submission to the next as they insert, as the
   * PostgreSQL store does. Counting per submission read the tenant's active runs again for
   * every one: with a large cap, most of a submission's time.
   */
  let groupActive = new Map<string, { readonly n: number; readonly upTo: number }>();
  const activeRuns = (tenant: string, cap: number): number => {
    const known = groupActive.get(tenant);
    // A count that stopped at a smaller cap says only "at least that many".
    if (known && (known.n < known.upTo || known.upTo >= cap)) return known.n;
    const n = sql().activeRuns.get(tenant, cap) ?? 0;
    groupActive.set(tenant, { n, upTo: cap });
    return n;
  };
  const countInserted = (tenant: string): void => {
    const known = groupActive.get(tenant);
    if (known) groupActive.set(tenant, { n: known.n + 1, upTo: known.upTo + 1 });
  };

  /**
   * One submission inside the group's transaction. Everything that refuses it (the cap, a taken
   * run id) happens before it writes, so in the group's fast path it needs no savepoint of its
   * own; a failure after its run row was written throws UndoGroup, and the group is committed
   * again with a savepoint per submission.
   */
  const submitOne = (task: Task, options: AuditedSubmitOptions, audit: AuditDraft): Submission => {
    const tenant = task.tenant ?? "";
    const key = task.idempotencyKey ?? null;
    const s = sql();
    const replayed = (): Submission | undefined => {
      const existing = key === null ? undefined : s.runByKey.get({ tenant, key });
      return existing && { run: runFromRow(existing), created: false, requestHash: existing.request_hash, submittedBy: existing.submitted_by };
    };
    if (options.maxActiveRuns !== undefined && activeRuns(tenant, options.maxActiveRuns) >= options.maxActiveRuns) {
      // A key already used is answered with its run even at the cap, as before it was counted.
      const existing = replayed();
      if (existing) return existing;
      throw tooManyActiveRuns(options.maxActiveRuns);
    }
    const row = { id: options.runId, tenant, key, task: JSON.stringify(task), priority: taskPriority(task), schemaVersion: JOURNAL_SCHEMA_VERSION, now: Date.now() };
    let inserted: ServiceRunRow | undefined;
    try {
      // Insert first: a fresh key (the usual case) costs no lookup; a used one inserts nothing
      // (the unique index answers) and its run is read. The row comes back from the insert.
      inserted = s.insertRun.get({ requestHash: options.requestHash, submittedBy: options.submittedBy, ...row });
    } catch (error) {
      if (hasCode(error, "SQLITE_CONSTRAINT_PRIMARYKEY")) throw runExistsError(options.runId, error);
      throw error;
    }
    if (!inserted) return mustExist(replayed(), options.runId);
    try {
      const entry = sealAuditEntry(groupHead, auditOf(audit, options.runId));
      s.insertAudit.run(auditRow(entry));
      groupHead = entry;
    } catch (error) {
      throw new UndoGroup(error);
    }
    countInserted(tenant);
    return { run: runFromRow(inserted), created: true, requestHash: options.requestHash, submittedBy: options.submittedBy };
  };
  const submitSaved = db.transaction((task: Task, options: AuditedSubmitOptions, audit: AuditDraft) => {
    try {
      return submitOne(task, options, audit);
    } catch (error) {
      // The savepoint undoes this submission's rows; the caller gets the real cause.
      throw error instanceof UndoGroup ? error.cause : error;
    }
  });
  const commitGroup = (items: readonly PendingSubmission[], submit: typeof submitOne): Settled<Submission>[] =>
    db
      .transaction(() => {
        groupHead = sql().auditHead.get();
        groupActive = new Map();
        return items.map((p): Settled<Submission> => {
          try {
            return { ok: true, value: submit(p.task, p.options, p.audit) };
          } catch (error) {
            if (error instanceof UndoGroup) throw error;
            return { ok: false, error };
          }
        });
      })
      .immediate();
  // Submissions of one event-loop turn share a transaction and its commit: with 32 clients a
  // commit wrote ~9 pages for one run; a group writes the shared right-edge pages once.
  const submissions = new TurnGroup<PendingSubmission, Submission>((items) => {
    try {
      return commitGroup(items, submitOne);
    } catch (error) {
      if (!(error instanceof UndoGroup)) throw error;
      return commitGroup(items, submitSaved);
    }
  });

  return {
    async appendAudit(draft) {
      return db.transaction(() => append(draft)).immediate();
    },
    appendWithin: append,
    async listAudit(filter: AuditListFilter = {}) {
      const rows = sql().listAudit.all({ after: filter.afterSeq ?? 0, tenant: filter.tenant ?? null, limit: auditListLimit(filter.limit) });
      return rows.map(auditFromRow);
    },
    async auditHead() {
      const row = sql().auditHeadRow.get();
      return row && auditFromRow(row);
    },
    async submitAudited(input: Task, options: AuditedSubmitOptions, audit: AuditDraft): Promise<Submission> {
      // Validated here, so a malformed task fails alone and at once.
      return submissions.add({ task: parseTask(input), options, audit });
    },
    flushSubmissions: () => submissions.flush(),
    async cancel(runId: string, audit: AuditDraft) {
      const s = sql();
      return db
        .transaction((): { run: Run; cancelled: boolean } | undefined => {
          const error = JSON.stringify({ code: "CANCELLED", message: `cancelled by ${audit.actor}` });
          const cancelled = s.cancel.run({ runId, error, now: Date.now() }).changes === 1;
          const row = s.runById.get(runId);
          if (!row) return undefined;
          if (cancelled) append({ ...audit, target: runId });
          return { run: runFromRow(row), cancelled };
        })
        .immediate();
    },
    async decideAudited(runId: string, stepKey: string, decision: AmbiguousDecision, audit: AuditDraft) {
      const s = sql();
      const where = { runId, key: stepKey };
      db.transaction(() => {
        const step = s.stepStatus.get(where);
        if (!step) {
          if (!s.runById.get(runId)) throw runNotFoundError(runId);
          throw stepNotFoundError(runId, stepKey, s.ambiguousKeys.all(runId));
        }
        if (step.status !== "ambiguous") throw notAmbiguousError(runId, stepKey, step.status);
        const effect = decisionEffect(decision);
        const now = Date.now();
        if (effect.kind === "delete") s.deleteStep.run(where);
        else s.settleStep.run({ ...where, status: effect.status, output: effect.output, error: effect.error, now });
        s.requeue.run({ runId, now });
        append({ ...audit, target: runId });
      }).immediate();
    },
    async answerAudited(runId: string, stepKey: string, answer: unknown, audit: AuditDraft) {
      const s = sql();
      db.transaction(() => {
        const run = s.runById.get(runId);
        if (!run) throw runNotFoundError(runId);
        const why = answerRefusal(run.status, s.stepKindStatus.get({ runId, key: stepKey }));
        if (why) throw inputNotWaitingError(runId, stepKey, why);
        const now = Date.now();
        s.settleStep.run({ runId, key: stepKey, status: "succeeded", output: answerOutput(answer), error: null, now });
        s.requeueAnswered.run({ runId, now });
        append({ ...audit, target: runId });
      }).immediate();
    },
    async submission(runId: string) {
      const row = sql().submission.get(runId);
      return row && { requestHash: row.request_hash, submittedBy: row.submitted_by };
    },
    async syncRunEvents(runId: string, candidates: readonly RunEventCandidate[]) {
      if (candidates.length === 0) return;
      const s = sql();
      db.transaction(() => {
        if (!s.runExists.get(runId)) return;
        const known = new Set(s.eventKeys.all(runId));
        let id = s.lastEventId.get(runId) ?? 0;
        for (const c of candidates) {
          if (known.has(c.key)) continue;
          known.add(c.key);
          s.insertEvent.run({ runId, id: ++id, key: c.key, type: c.type, data: JSON.stringify(c.data) });
        }
      }).immediate();
    },
    async listRunEvents(runId: string, afterId: number, limit = 500): Promise<readonly RunEvent[]> {
      return sql()
        .events.all({ runId, afterId, limit })
        .map((row) => ({ id: row.id, type: row.type, data: JSON.parse(row.data) as Record<string, unknown> }));
    },
    async pendingMigrations() {
      const applied = db.prepare<[], number>("SELECT version FROM schema_migrations").pluck().all();
      return pendingMigrations(SQLITE_MIGRATIONS, new Set(applied)).map((m) => m.version);
    },
  };
}

/** A submission failed after writing its run row: the group is undone and committed again, a savepoint each. */
class UndoGroup extends Error {
  readonly code = "UNDO_GROUP";
  constructor(cause: unknown) {
    super("a submission failed after writing; the group is committed again one savepoint each", { cause });
  }
}

type ServiceRunRow = RunRow & { readonly request_hash: string | null; readonly submitted_by: string | null };

function prepare(db: Database.Database) {
  try {
    return prepareStatements(db);
  } catch (error) {
    if (error instanceof Error && /no such (table|column)/.test(error.message)) {
      throw new CsAgentsError("STORE_CONFIG", "the SQLite database lacks the service tables (schema version 2): run `cs-agents migrate` or set CS_AGENTS_MIGRATE=true", { cause: error });
    }
    throw error;
  }
}

/**
 * How many unfinished runs a tenant has, counted up to `cap` and no further (the answer is only
 * compared with the cap). runs_tenant_active (migration 9) holds only unfinished runs, by tenant:
 * the count reads at most `cap` entries of that tenant, never the tenant's finished history
 * (runs_tenant_created) nor other tenants' queued runs (runs_active).
 */
export function prepareActiveRuns(db: Database.Database): Database.Statement<[string, number], number> {
  return db.prepare<[string, number], number>(`SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE ${SQLITE_ACTIVE_RUNS} AND tenant = ? LIMIT ?)`).pluck();
}

function prepareStatements(db: Database.Database) {
  const q = <P extends unknown[] | object, R = unknown>(text: string) => db.prepare<P extends unknown[] ? P : [P], R>(text);
  return {
    auditHead: q<[], { seq: number; hash: string }>("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"),
    auditHeadRow: q<[], AuditRow>("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1"),
    insertAudit: q<Omit<AuditEntry, "details"> & { details: string }>(
      `INSERT INTO audit_log (seq, at, tenant, actor, action, target, details, prev_hash, hash)
       VALUES (@seq, @at, @tenant, @actor, @action, @target, @details, @prevHash, @hash)`,
    ),
    listAudit: q<{ after: number; tenant: string | null; limit: number }, AuditRow>(
      "SELECT * FROM audit_log WHERE seq > @after AND (@tenant IS NULL OR tenant = @tenant) ORDER BY seq LIMIT @limit",
    ),
    runById: q<[string], ServiceRunRow>(`SELECT ${RUN_COLUMNS}, request_hash, submitted_by FROM runs WHERE id = ?`),
    runByKey: q<{ tenant: string; key: string }, ServiceRunRow>(
      `SELECT ${RUN_COLUMNS}, request_hash, submitted_by FROM runs WHERE tenant = @tenant AND idempotency_key = @key`,
    ),
    runExists: q<[string], { id: string }>("SELECT id FROM runs WHERE id = ?"),
    activeRuns: prepareActiveRuns(db),
    insertRun: q<{ id: string; tenant: string; key: string | null; task: string; priority: number; schemaVersion: number; now: number; requestHash: string; submittedBy: string }, ServiceRunRow>(
      `INSERT INTO runs (id, tenant, idempotency_key, task, priority, status, schema_version, created_at, updated_at, request_hash, submitted_by)
       VALUES (@id, @tenant, @key, @task, @priority, 'queued', @schemaVersion, @now, @now, @requestHash, @submittedBy)
       ON CONFLICT (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${RUN_COLUMNS}, request_hash, submitted_by`,
    ),
    cancel: q<{ runId: string; error: string; now: number }>(
      `UPDATE runs SET status = 'cancelled', error = @error, finished_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @runId AND ${SQLITE_ACTIVE_RUNS}`,
    ),
    stepStatus: q<{ runId: string; key: string }, { status: string }>("SELECT status FROM steps WHERE run_id = @runId AND key = @key"),
    ambiguousKeys: db.prepare<[string], string>("SELECT key FROM steps WHERE run_id = ? AND status = 'ambiguous' ORDER BY seq").pluck(),
    deleteStep: q<{ runId: string; key: string }>("DELETE FROM steps WHERE run_id = @runId AND key = @key"),
    settleStep: q<{ runId: string; key: string; status: string; output: string | null; error: string | null; now: number }>(
      "UPDATE steps SET status = @status, output = @output, error = @error, finished_at = @now WHERE run_id = @runId AND key = @key",
    ),
    requeue: q<{ runId: string; now: number }>(
      "UPDATE runs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, lease_epoch = lease_epoch + 1, updated_at = @now WHERE id = @runId AND status = 'waiting_approval'",
    ),
    stepKindStatus: q<{ runId: string; key: string }, { kind: string; status: string }>("SELECT kind, status FROM steps WHERE run_id = @runId AND key = @key"),
    requeueAnswered: q<{ runId: string; now: number }>(
      "UPDATE runs SET status = 'queued', wake_at = NULL, lease_owner = NULL, lease_expires_at = NULL, lease_epoch = lease_epoch + 1, updated_at = @now WHERE id = @runId AND status = 'waiting_input'",
    ),
    submission: q<[string], { request_hash: string | null; submitted_by: string | null }>("SELECT request_hash, submitted_by FROM runs WHERE id = ?"),
    eventKeys: db.prepare<[string], string>("SELECT key FROM run_events WHERE run_id = ?").pluck(),
    lastEventId: db.prepare<[string], number | null>("SELECT MAX(id) FROM run_events WHERE run_id = ?").pluck(),
    insertEvent: q<{ runId: string; id: number; key: string; type: string; data: string }>(
      "INSERT INTO run_events (run_id, id, key, type, data) VALUES (@runId, @id, @key, @type, @data)",
    ),
    events: q<{ runId: string; afterId: number; limit: number }, { id: number; type: string; data: string }>(
      "SELECT id, type, data FROM run_events WHERE run_id = @runId AND id > @afterId ORDER BY id LIMIT @limit",
    ),
  };
}

// Both named field by field: on a submission's path, and V8 (Node 20) builds a literal that
// starts with a spread and goes on with more fields slowly (~0.5 µs a field).
function auditOf(draft: AuditDraft, target: string): AuditDraft {
  return { action: draft.action, actor: draft.actor, tenant: draft.tenant, target, ...(draft.details ? { details: draft.details } : {}), ...(draft.at ? { at: draft.at } : {}) };
}

function auditRow(entry: AuditEntry): Omit<AuditEntry, "details"> & { details: string } {
  return { seq: entry.seq, at: entry.at, action: entry.action, actor: entry.actor, tenant: entry.tenant, target: entry.target, details: JSON.stringify(entry.details), prevHash: entry.prevHash, hash: entry.hash };
}
