import type Database from "better-sqlite3";
import type { ClaimedRow, RunHeaderRow, RunRow, StepRow } from "../rows.js";
import type { ClaimCandidate } from "../fair-order.js";
import { CLAIMABLE_STATUSES, FINAL_STATUSES, WAITING_RUNS, sqlList } from "../store-rules.js";

// Every statement the SQLite store runs, prepared once per connection. Times are epoch ms
// passed in as @now, so one call uses one instant throughout.

const RUN_COLUMNS = "id, task, status, plan, result, error, created_at, updated_at, parent_id, parent_subtask";
const HEADER_COLUMNS = "id, task, status, created_at, updated_at, parent_id, parent_subtask";
const STEP_COLUMNS = "run_id, key, kind, status, input, output, error, attempts, started_at, finished_at";
const CLAIMABLE = sqlList(CLAIMABLE_STATUSES);
const FINAL = sqlList(FINAL_STATUSES);

/**
 * The predicate of the runs_active index (migration 7), word for word: SQLite uses a partial
 * index only for a query whose WHERE repeats it. Every final status stamps finished_at and no
 * other does, so these are the runs not final. SQLite rewrites a partial index's entry whenever
 * a column its predicate names changes; a claim changes status, not finished_at.
 */
export const SQLITE_ACTIVE_RUNS = "finished_at IS NULL";

type Fence = { runId: string; workerId: string; epoch: number };
export type TransitionParams = Fence & { status: string; plan: string | null; result: string | null; error: string | null; finished: number; keepLease: number; now: number };
type Candidate = { id: string; lease_owner: string | null };

export type SqliteStatements = ReturnType<typeof prepareStatements>;

/** The part of a better-sqlite3 statement the store uses; named here so the types can be emitted. */
export interface SqliteStatement<P extends unknown[], R> {
  run(...params: P): Database.RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

type Params<P> = P extends unknown[] ? P : [P];

type ListParams = { statuses: string | null; before: string | null; beforeAt: number | null; limit: number };

function listRunsSql(tenantFilter: string, columns = RUN_COLUMNS): string {
  return `SELECT ${columns} FROM runs
       WHERE (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses))) ${tenantFilter}
         AND (@before IS NULL OR (created_at, id) < (COALESCE((SELECT created_at FROM runs WHERE id = @before), @beforeAt), @before))
       ORDER BY created_at DESC, id DESC LIMIT @limit`;
}

export function prepareStatements(db: Database.Database) {
  const prepare = <P extends unknown[] | object, R = unknown>(sql: string) => db.prepare<P, R>(sql) as SqliteStatement<Params<P>, R>;
  // Single-column statements return the value itself, not a row object.
  const preparePluck = <P extends unknown[], R>(sql: string) => db.prepare<P, R>(sql).pluck() as SqliteStatement<P, R>;
  return {
    // With an owner the run starts claimed by it (eager start): running, lease epoch 1.
    insertRun: prepare<{ id: string; tenant: string; key: string | null; task: string; priority: number; schemaVersion: number; now: number; owner: string | null; expiresAt: number | null; parentId: string | null; parentSubtask: string | null }, RunRow>(
      `INSERT INTO runs (id, tenant, idempotency_key, task, priority, status, schema_version, created_at, updated_at, lease_owner, lease_expires_at, lease_epoch, claims, parent_id, parent_subtask)
       VALUES (@id, @tenant, @key, @task, @priority, CASE WHEN @owner IS NULL THEN 'queued' ELSE 'running' END, @schemaVersion, @now, @now,
         @owner, @expiresAt, @owner IS NOT NULL, @owner IS NOT NULL, @parentId, @parentSubtask)
       ON CONFLICT (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${RUN_COLUMNS}`,
    ),
    // A run's children, oldest first (runs_parent).
    childrenOf: prepare<[string], { id: string; status: string; parent_subtask: string; created_at: number }>(
      `SELECT id, status, parent_subtask, created_at FROM runs WHERE parent_id = ? ORDER BY created_at, id`,
    ),
    runById: prepare<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    runByKey: prepare<{ tenant: string; key: string }, RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE tenant = @tenant AND idempotency_key = @key`),
    // Newest first, read backwards from runs_created or, for one tenant, runs_tenant_created. An
    // optional tenant (`@tenant IS NULL OR ...`) would keep SQLite on runs_created, walking every
    // other tenant's runs.
    listRuns: prepare<ListParams, RunRow>(listRunsSql("")),
    listRunsOfTenant: prepare<ListParams & { tenant: string }, RunRow>(listRunsSql("AND tenant = @tenant")),
    listHeaders: prepare<ListParams, RunHeaderRow>(listRunsSql("", HEADER_COLUMNS)),
    listHeadersOfTenant: prepare<ListParams & { tenant: string }, RunHeaderRow>(listRunsSql("AND tenant = @tenant", HEADER_COLUMNS)),
    // The claim's reads (fair-order.ts orders what they find). Each names its index: runs_waiting
    // and runs_leased hold only waiting and leased runs, so no read walks the queue; the
    // tenants are found by skipping from one to the next in runs_waiting.
    firstWaitingTenant: preparePluck<[], string>(`SELECT tenant FROM runs INDEXED BY runs_waiting WHERE ${WAITING_RUNS} ORDER BY tenant LIMIT 1`),
    nextWaitingTenant: preparePluck<[string], string>(`SELECT tenant FROM runs INDEXED BY runs_waiting WHERE ${WAITING_RUNS} AND tenant > ? ORDER BY tenant LIMIT 1`),
    // One tenant's line: its first few waiting runs, higher priority first, then oldest.
    waitingOfTenant: prepare<{ tenant: string; limit: number }, ClaimCandidate>(
      `SELECT id, tenant, priority, created_at AS due FROM runs INDEXED BY runs_waiting
       WHERE ${WAITING_RUNS} AND tenant = @tenant
       ORDER BY priority DESC, created_at, id LIMIT @limit`,
    ),
    // Sleeping runs and questions whose default answer is now due, earliest first (runs_waking:
    // its WHERE repeats that predicate).
    dueSleepers: prepare<{ now: number; limit: number }, ClaimCandidate>(
      `SELECT id, tenant, priority, wake_at AS due FROM runs
       WHERE status IN ('sleeping', 'waiting_input', 'waiting_children') AND wake_at <= @now
       ORDER BY wake_at, id LIMIT @limit`,
    ),
    leasedByTenant: prepare<[], { tenant: string; n: number }>(`SELECT tenant, count(*) AS n FROM runs INDEXED BY runs_leased WHERE lease_owner IS NOT NULL GROUP BY tenant`),
    // The run whose lease expired first under it (an orphan), read from the leased runs only.
    orphanCandidate: prepare<{ now: number }, Candidate>(
      `SELECT id, lease_owner FROM runs INDEXED BY runs_leased
       WHERE lease_owner IS NOT NULL AND lease_expires_at < @now AND status IN (${CLAIMABLE})
       ORDER BY lease_expires_at, id LIMIT 1`,
    ),
    // A parent going to wait for children none of which is still unfinished is queued at once:
    // the last one finished between the parent's look and this write (its trigger found the parent
    // not waiting yet). One writer at a time, so nothing finishes in between here.
    sleep: prepare<Fence & { status: "sleeping" | "waiting_input" | "waiting_children"; wakeAt: number | null; now: number }>(
      `UPDATE runs SET status = CASE WHEN @status = 'waiting_children'
           AND NOT EXISTS (SELECT 1 FROM runs c WHERE c.parent_id = @runId AND c.finished_at IS NULL) THEN 'queued' ELSE @status END, wake_at = @wakeAt, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
       WHERE id = @runId AND lease_owner = @workerId AND lease_epoch = @epoch AND status NOT IN (${FINAL})`,
    ),
    // The oldest quarantined run waiting (runs_quarantined: its WHERE repeats that predicate).
    quarantinedCandidate: prepare<{ now: number }, Candidate>(
      `SELECT id, lease_owner FROM runs
       WHERE quarantined = 1 AND ${SQLITE_ACTIVE_RUNS} AND status IN (${CLAIMABLE}) AND (lease_owner IS NULL OR lease_expires_at < @now)
       ORDER BY created_at, id LIMIT 1`,
    ),
    claimCandidate: prepare<[string], Candidate>(`SELECT id, lease_owner FROM runs WHERE id = ? AND status IN (${CLAIMABLE})`),
    // A claimed run is running: the claim is its transition, not a separate write.
    // A crash counts only against a run its worker held alone; any orphaned run is quarantined.
    lease: prepare<{ id: string; workerId: string; expiresAt: number; reclaimed: number; alone: number; now: number }, ClaimedRow>(
      `UPDATE runs SET status = 'running', wake_at = NULL, updated_at = @now, lease_owner = @workerId, lease_expires_at = @expiresAt, lease_epoch = lease_epoch + 1,
         claims = claims + 1, crashes = crashes + (@reclaimed AND lease_alone), quarantined = (quarantined OR @reclaimed), lease_alone = @alone
       WHERE id = @id
       RETURNING id, task, lease_epoch, crashes, @reclaimed AS reclaimed, lease_alone`,
    ),
    poison: prepare<{ id: string; error: string; now: number }>(
      `UPDATE runs SET status = 'failed', error = @error, finished_at = @now, updated_at = @now, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @id`,
    ),
    heartbeat: prepare<Fence & { expiresAt: number }>(
      `UPDATE runs SET lease_expires_at = @expiresAt
       WHERE id = @runId AND lease_owner = @workerId AND lease_epoch = @epoch AND status NOT IN (${FINAL})`,
    ),
    release: prepare<Fence>(
      `UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = @runId AND lease_owner = @workerId AND lease_epoch = @epoch`,
    ),
    transition: prepare<TransitionParams>(
      `UPDATE runs SET status = @status,
         plan = COALESCE(@plan, plan), result = COALESCE(@result, result), error = COALESCE(@error, error),
         finished_at = CASE WHEN @finished THEN @now ELSE finished_at END,
         lease_owner = CASE WHEN @keepLease THEN lease_owner END,
         lease_expires_at = CASE WHEN @keepLease THEN lease_expires_at END,
         updated_at = @now
       WHERE id = @runId AND lease_owner = @workerId AND lease_epoch = @epoch AND status NOT IN (${FINAL})`,
    ),
    // Read under the write lock of an IMMEDIATE transaction, so the lease cannot change before
    // the step is written; the runs row itself is not rewritten for every step.
    fence: preparePluck<[string, string, number], number>(`SELECT 1 FROM runs WHERE id = ? AND lease_owner = ? AND lease_epoch = ?`),
    setPlan: prepare<{ runId: string; plan: string; now: number }>(`UPDATE runs SET plan = @plan, updated_at = @now WHERE id = @runId`),
    // A new key takes its run's next place (the run's rows sit together in the primary key);
    // a key recorded again keeps its place.
    upsertStep: prepare<StepParams>(
      `INSERT INTO steps (run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch)
       VALUES (@runId, @key, COALESCE((SELECT MAX(seq) FROM steps WHERE run_id = @runId), 0) + 1,
         @kind, @status, @input, @output, @error, @attempts, @startedAt, @finishedAt, @epoch)
       ON CONFLICT (run_id, key) DO UPDATE SET kind = excluded.kind, status = excluded.status, input = excluded.input,
         output = excluded.output, error = excluded.error, attempts = excluded.attempts, started_at = excluded.started_at,
         finished_at = excluded.finished_at, epoch = excluded.epoch`,
    ),
    steps: prepare<[string], StepRow>(`SELECT ${STEP_COLUMNS} FROM steps WHERE run_id = ? ORDER BY seq`),
    stepStatus: prepare<{ runId: string; key: string }, { status: string }>(`SELECT status FROM steps WHERE run_id = @runId AND key = @key`),
    ambiguousKeys: preparePluck<[string], string>(`SELECT key FROM steps WHERE run_id = ? AND status = 'ambiguous' ORDER BY seq`),
    deleteStep: prepare<{ runId: string; key: string }>(`DELETE FROM steps WHERE run_id = @runId AND key = @key`),
    settleStep: prepare<{ runId: string; key: string; status: string; output: string | null; error: string | null; now: number }>(
      `UPDATE steps SET status = @status, output = @output, error = @error, finished_at = @now WHERE run_id = @runId AND key = @key`,
    ),
    requeue: prepare<{ runId: string; now: number }>(
      `UPDATE runs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, lease_epoch = lease_epoch + 1, updated_at = @now
       WHERE id = @runId AND status = 'waiting_approval'`,
    ),
    prune: prepare<{ finishedBefore: number | null; keep: number | null }>(
      `DELETE FROM runs WHERE status IN (${FINAL}) AND (
         (@finishedBefore IS NOT NULL AND COALESCE(finished_at, updated_at) < @finishedBefore)
         OR (@keep IS NOT NULL AND id NOT IN (SELECT id FROM runs WHERE status IN (${FINAL}) ORDER BY created_at DESC, id DESC LIMIT @keep)))`,
    ),
    cancelledAmong: preparePluck<[string], string>(`SELECT id FROM runs WHERE status = 'cancelled' AND id IN (SELECT value FROM json_each(?))`),
    queueStats: prepare<[], { depth: number; oldest: number | null }>(`SELECT count(*) AS depth, MIN(created_at) AS oldest FROM runs WHERE ${SQLITE_ACTIVE_RUNS} AND status = 'queued'`),
    // Bytes of the JSON text, as PostgreSQL's octet_length counts them, so both stores agree.
    storageBytes: preparePluck<[string, string], number | null>(
      `SELECT (SELECT ${bytes("task", "plan", "result", "error")} FROM runs WHERE id = ?)
            + (SELECT COALESCE(SUM(${bytes("input", "output", "error")}), 0) FROM steps WHERE run_id = ?)`,
    ),
  };
}

export interface StepParams {
  runId: string;
  key: string;
  kind: string;
  status: string;
  input: string | null;
  output: string | null;
  error: string | null;
  attempts: number | null;
  startedAt: number;
  finishedAt: number | null;
  epoch: number;
}

function bytes(...columns: string[]): string {
  return columns.map((c) => `COALESCE(length(CAST(${c} AS BLOB)), 0)`).join(" + ");
}
