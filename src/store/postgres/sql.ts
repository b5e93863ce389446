import { ACTIVE_RUNS, CLAIMABLE_STATUSES, FINAL_STATUSES, TENANTS_PER_CLAIM, WAITING_RUNS, sqlList } from "../store-rules.js";

// Every statement the PostgreSQL store runs. Each has a name, so pg prepares it once per
// connection. All times come from the database clock (now()): workers' clocks never decide a
// lease. JSON columns are selected as text so SQL NULL and JSON null stay apart.

export interface SqlStatement {
  readonly name: string;
  readonly text: string;
}

const RUN_COLUMNS = "id, task::text AS task, status, plan::text AS plan, result::text AS result, error::text AS error, created_at, updated_at, parent_id, parent_subtask";
const HEADER_COLUMNS = "id, task::text AS task, status, created_at, updated_at, parent_id, parent_subtask";

/** A page of runs, newest first: $1 statuses, $2 tenant, $3 the run to go on before (its time $4 when it is gone), $5 how many. */
function listRunsSql(columns: string): string {
  return `SELECT ${columns} FROM runs
     WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
       AND ($2::text IS NULL OR tenant = $2)
       AND ($3::text IS NULL OR (created_at, id) < (COALESCE((SELECT created_at FROM runs WHERE id = $3), $4::timestamptz), $3))
     ORDER BY created_at DESC, id DESC LIMIT $5`;
}
const STEP_COLUMNS = "run_id, key, kind, status, input::text AS input, output::text AS output, error::text AS error, attempts, started_at, finished_at";
const CLAIMABLE = sqlList(CLAIMABLE_STATUSES);
const FINAL = sqlList(FINAL_STATUSES);
const FENCE = "id = $1 AND lease_owner = $2 AND lease_epoch = $3";
function msFromNow(param: string): string {
  return `now() + ${param}::float8 * interval '1 millisecond'`;
}

function statement(name: string, text: string): SqlStatement {
  return { name: `cs_agents_${name}`, text };
}

/**
 * One run's steps ($4, a JSON array) in one statement: the fenced run update (`runSet` besides
 * the step count, `alsoWhere` besides the fence) locks the run row and hands out the steps'
 * places; a stale writer matches no run row, so the INSERT gets no row to write.
 */
function runStepsStatement(name: string, runSet: string, alsoWhere: string): SqlStatement {
  return statement(
    name,
    `WITH batch AS (
       SELECT * FROM ROWS FROM (json_to_recordset($4::json)
         AS (key text, kind text, status text, input json, output json, error json, attempts int, started_at timestamptz, finished_at timestamptz, plan json))
         WITH ORDINALITY AS b(key, kind, status, input, output, error, attempts, started_at, finished_at, plan, n)),
     fenced AS (
       UPDATE runs SET step_seq = step_seq + (SELECT count(*) FROM batch),
         ${runSet}, updated_at = now()
       WHERE ${FENCE} ${alsoWhere}
       RETURNING step_seq)
     INSERT INTO steps (run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch)
     SELECT $1::text, b.key, fenced.step_seq - (SELECT count(*) FROM batch) + b.n, b.kind, b.status, b.input, b.output, b.error,
       b.attempts, b.started_at, b.finished_at, $3::int
     FROM fenced, batch b
     ON CONFLICT (run_id, key) DO UPDATE SET kind = EXCLUDED.kind, status = EXCLUDED.status, input = EXCLUDED.input,
       output = EXCLUDED.output, error = EXCLUDED.error, attempts = EXCLUDED.attempts, started_at = EXCLUDED.started_at,
       finished_at = EXCLUDED.finished_at, epoch = EXCLUDED.epoch`,
  );
}

/**
 * Leases the candidate rows (id, reclaimed, alone, place) in the same statement that locks them,
 * and returns them in the order of `place`. A crash counts only when someone else held the lease
 * alone; any orphaned run is quarantined.
 */
function claimStatement(name: string, candidates: string): SqlStatement {
  return statement(
    name,
    `WITH candidates AS (${candidates}),
     claimed AS (
       UPDATE runs r SET status = 'running', wake_at = NULL, updated_at = now(), lease_owner = $1, lease_expires_at = ${msFromNow("$2")}, lease_epoch = r.lease_epoch + 1,
         claims = r.claims + 1, crashes = r.crashes + (c.reclaimed AND r.lease_alone)::int, quarantined = r.quarantined OR c.reclaimed, lease_alone = c.alone
       FROM candidates c WHERE r.id = c.id
       RETURNING r.id, r.task::text AS task, r.lease_epoch, r.crashes, c.reclaimed, c.alone AS lease_alone, c.place, c.view_end, r.created_at)
     SELECT id, task, lease_epoch, crashes, reclaimed, lease_alone, view_end FROM claimed ORDER BY place, created_at, id`,
  );
}

const CLAIMABLE_NOW = `${ACTIVE_RUNS} AND status IN (${CLAIMABLE}) AND (lease_owner IS NULL OR lease_expires_at < now())`;

export const sql = {
  // With an owner ($6) the run starts claimed by it for $7 ms (eager start): running, lease epoch 1.
  insertRun: statement(
    "insert_run",
    `INSERT INTO runs (id, tenant, idempotency_key, task, status, schema_version, lease_owner, lease_expires_at, lease_epoch, claims, priority, parent_id, parent_subtask)
     VALUES ($1, $2, $3, $4::json, CASE WHEN $6::text IS NULL THEN 'queued' ELSE 'running' END, $5, $6::text,
       CASE WHEN $6::text IS NULL THEN NULL ELSE ${msFromNow("$7")} END, ($6::text IS NOT NULL)::int, ($6::text IS NOT NULL)::int, $8, $9::text, $10::text)
     ON CONFLICT (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING ${RUN_COLUMNS}`,
  ),
  // A run's children, oldest first (runs_parent).
  childrenOf: statement("children_of", `SELECT id, status, parent_subtask, created_at FROM runs WHERE parent_id = $1 ORDER BY created_at, id`),
  // A parent going to wait for its children: its row is locked first (a child's final status
  // locks it too, in runs_child_finished), then sleepWaiting looks at the children afresh.
  lockLeasedRun: statement("lock_leased_run", `SELECT id FROM runs WHERE ${FENCE} FOR UPDATE`),
  sleepWaiting: statement(
    "sleep_waiting",
    `UPDATE runs SET status = CASE WHEN EXISTS (SELECT 1 FROM runs c WHERE c.parent_id = $1 AND c.status NOT IN (${FINAL})) THEN 'waiting_children' ELSE 'queued' END,
       wake_at = $4::timestamptz, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE ${FENCE} AND status NOT IN (${FINAL})`,
  ),
  runById: statement("run_by_id", `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`),
  runByKey: statement("run_by_key", `SELECT ${RUN_COLUMNS} FROM runs WHERE tenant = $1 AND idempotency_key = $2`),
  listRuns: statement("list_runs", listRunsSql(RUN_COLUMNS)),
  listHeaders: statement("list_run_headers", listRunsSql(HEADER_COLUMNS)),
  // SKIP LOCKED: concurrent claimers pass over each other's rows instead of waiting or double-claiming.
  // $4: the worker holds no run. A waiting quarantined run, or else an orphan (a lease expired
  // under it: its reclaim quarantines it), goes alone to such a worker, and while one waits no
  // other run is handed out (busy workers drain until one is free to take it).
  // Otherwise the order is fair-order.ts's, in SQL: the first $3 runs of each tenant in view (up
  // to TENANTS_PER_CLAIM waiting tenants after $5, the tenant this store last handed a run of,
  // wrapping around; found by skipping through runs_waiting, one probe each) and the due sleepers, by
  // turn (runs the tenant holds now + place in its line), then priority, then due time; with $6
  // above 0, a turn past $6 (the tenant would hold more than that) waits. The
  // orphan is the lease that expired first, and the held runs are counted per tenant by
  // equality: both plans stay on runs_leased even before the table has statistics.
  claim: claimStatement(
    "claim",
    `WITH RECURSIVE q AS (
       SELECT id, lease_owner IS NOT NULL AS reclaimed FROM runs
       WHERE quarantined AND ${CLAIMABLE_NOW}
       ORDER BY created_at, id LIMIT 1
       FOR UPDATE SKIP LOCKED),
     orphan AS (
       SELECT id, true AS reclaimed FROM runs
       WHERE lease_owner IS NOT NULL AND lease_expires_at < now() AND status IN (${CLAIMABLE}) AND NOT EXISTS (SELECT 1 FROM q)
       ORDER BY lease_expires_at, id LIMIT 1
       FOR UPDATE SKIP LOCKED),
     after_cursor AS (
       SELECT (SELECT tenant FROM runs WHERE ${WAITING_RUNS} AND tenant > $5::text ORDER BY tenant LIMIT 1) AS tenant, 1 AS n
       UNION ALL
       SELECT (SELECT r.tenant FROM runs r WHERE ${WAITING_RUNS} AND r.tenant > a.tenant ORDER BY r.tenant LIMIT 1), a.n + 1
       FROM after_cursor a WHERE a.tenant IS NOT NULL AND a.n < ${TENANTS_PER_CLAIM}),
     wrapped AS (
       SELECT (SELECT tenant FROM runs WHERE ${WAITING_RUNS} ORDER BY tenant LIMIT 1) AS tenant, (SELECT count(tenant) FROM after_cursor) + 1 AS n
       WHERE (SELECT count(tenant) FROM after_cursor) < ${TENANTS_PER_CLAIM}
       UNION ALL
       SELECT (SELECT r.tenant FROM runs r WHERE ${WAITING_RUNS} AND r.tenant > w.tenant ORDER BY r.tenant LIMIT 1), w.n + 1
       FROM wrapped w WHERE w.tenant IS NOT NULL AND ($5::text IS NULL OR w.tenant < $5::text) AND w.n < ${TENANTS_PER_CLAIM}),
     tenants AS (
       SELECT tenant FROM after_cursor WHERE tenant IS NOT NULL
       UNION SELECT tenant FROM wrapped WHERE tenant IS NOT NULL AND ($5::text IS NULL OR tenant <= $5::text)),
     waiting AS (
       SELECT w.* FROM tenants t CROSS JOIN LATERAL (
         SELECT id, tenant, priority, created_at AS due FROM runs
         WHERE ${WAITING_RUNS} AND tenant = t.tenant
         ORDER BY priority DESC, created_at, id LIMIT $3
         FOR UPDATE SKIP LOCKED) w
       WHERE NOT EXISTS (SELECT 1 FROM q) AND NOT EXISTS (SELECT 1 FROM orphan)),
     sleepers AS (
       SELECT id, tenant, priority, wake_at AS due FROM runs
       WHERE status IN ('sleeping', 'waiting_input', 'waiting_children') AND wake_at <= now() AND NOT EXISTS (SELECT 1 FROM q) AND NOT EXISTS (SELECT 1 FROM orphan)
       ORDER BY wake_at, id LIMIT $3
       FOR UPDATE SKIP LOCKED),
     pool AS (SELECT * FROM waiting UNION ALL SELECT * FROM sleepers),
     leased AS (
       SELECT p.tenant, (SELECT count(*) FROM runs WHERE lease_owner IS NOT NULL AND tenant = p.tenant) AS n
       FROM (SELECT DISTINCT tenant FROM pool) p),
     turns AS (
       SELECT p.id, p.priority, p.due, l.n + row_number() OVER (PARTITION BY p.tenant ORDER BY p.priority DESC, p.due, p.id) AS turn
       FROM pool p JOIN leased l ON l.tenant = p.tenant),
     n AS (
       SELECT id, row_number() OVER (ORDER BY turn, priority DESC, due, id) AS place FROM turns
       WHERE $6::int = 0 OR turn <= $6::int
       ORDER BY turn, priority DESC, due, id LIMIT $3)
     SELECT id, reclaimed, true AS alone, 0::bigint AS place, NULL::text AS view_end FROM q WHERE $4::boolean
     UNION ALL SELECT id, reclaimed, true AS alone, 0::bigint AS place, NULL::text AS view_end FROM orphan WHERE $4::boolean
     UNION ALL SELECT id, false AS reclaimed, $4::boolean AND $3::int = 1 AS alone, place,
       COALESCE((SELECT tenant FROM wrapped WHERE tenant IS NOT NULL AND ($5::text IS NULL OR tenant <= $5::text) ORDER BY n DESC LIMIT 1),
                (SELECT tenant FROM after_cursor WHERE tenant IS NOT NULL ORDER BY n DESC LIMIT 1)) AS view_end
     FROM n`,
  ),
  // A forced takeover waits for the row rather than skip it: the caller named this run.
  claimRun: claimStatement(
    "claim_run",
    `SELECT id, lease_owner IS NOT NULL AS reclaimed, $4::boolean AS alone, 1::bigint AS place, NULL::text AS view_end FROM runs WHERE id = $3 AND status IN (${CLAIMABLE}) FOR UPDATE`,
  ),
  poison: statement(
    "poison",
    `UPDATE runs SET status = 'failed', error = $4::json, finished_at = now(), updated_at = now(), lease_owner = NULL, lease_expires_at = NULL
     WHERE ${FENCE}`,
  ),
  heartbeat: statement("heartbeat", `UPDATE runs SET lease_expires_at = ${msFromNow("$4")} WHERE ${FENCE} AND status NOT IN (${FINAL})`),
  sleep: statement(
    "sleep",
    `UPDATE runs SET status = $5::text, wake_at = $4::timestamptz, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE ${FENCE} AND status NOT IN (${FINAL})`,
  ),
  release: statement("release", `UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE ${FENCE}`),
  transition: statement(
    "transition",
    `UPDATE runs SET status = $4::text,
       plan = COALESCE($5::json, plan), result = COALESCE($6::json, result), error = COALESCE($7::json, error),
       finished_at = CASE WHEN $8::boolean THEN now() ELSE finished_at END,
       lease_owner = CASE WHEN $9::boolean THEN lease_owner END,
       lease_expires_at = CASE WHEN $9::boolean THEN lease_expires_at END,
       updated_at = now()
     WHERE ${FENCE} AND status NOT IN (${FINAL})`,
  ),
  // Transitions of several runs in one statement (group commit): $1 is a JSON array of
  // { run_id, owner, epoch, status, plan, result, error, finished, keep_lease }; the ids of the
  // runs whose fence held are returned.
  transitionGroup: statement(
    "transition_group",
    `WITH b AS (
       SELECT * FROM json_to_recordset($1::json)
         AS b(run_id text, owner text, epoch int, status text, plan json, result json, error json, finished boolean, keep_lease boolean))
     UPDATE runs r SET status = b.status,
       plan = COALESCE(b.plan, r.plan), result = COALESCE(b.result, r.result), error = COALESCE(b.error, r.error),
       finished_at = CASE WHEN b.finished THEN now() ELSE r.finished_at END,
       lease_owner = CASE WHEN b.keep_lease THEN r.lease_owner END,
       lease_expires_at = CASE WHEN b.keep_lease THEN r.lease_expires_at END,
       updated_at = now()
     FROM b WHERE r.id = b.run_id AND r.lease_owner = b.owner AND r.lease_epoch = b.epoch AND r.status NOT IN (${FINAL})
     RETURNING r.id`,
  ),
  // One statement: the fenced run update locks the run row and hands out the step's place; a
  // stale writer matches no run row, so the INSERT gets no row to write.
  record: statement(
    "record",
    `WITH fenced AS (
       UPDATE runs SET step_seq = step_seq + 1, plan = COALESCE($5::json, plan), updated_at = now()
       WHERE ${FENCE}
       RETURNING step_seq)
     INSERT INTO steps (run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch)
     SELECT $1::text, $4::text, fenced.step_seq, $6::text, $7::text, $8::json, $9::json, $10::json, $11::int, $12::timestamptz, $13::timestamptz, $3::int
     FROM fenced
     ON CONFLICT (run_id, key) DO UPDATE SET kind = EXCLUDED.kind, status = EXCLUDED.status, input = EXCLUDED.input,
       output = EXCLUDED.output, error = EXCLUDED.error, attempts = EXCLUDED.attempts, started_at = EXCLUDED.started_at,
       finished_at = EXCLUDED.finished_at, epoch = EXCLUDED.epoch`,
  ),
  // Several steps in one statement (one commit): $4 is a JSON array of steps with distinct keys;
  // they take the next places in the order given.
  recordAll: runStepsStatement("record_all", "plan = COALESCE((SELECT plan FROM batch WHERE plan IS NOT NULL LIMIT 1), plan)", ""),
  // One run's last steps and its transition, all or none: record_all's steps ($4) with
  // transition's fields ($5..$10). The generic record_group took twice as long for one run.
  recordWithTransition: runStepsStatement(
    "record_with_transition",
    `plan = COALESCE($6::json, (SELECT plan FROM batch WHERE plan IS NOT NULL LIMIT 1), plan),
         status = $5::text, result = COALESCE($7::json, result), error = COALESCE($8::json, error),
         finished_at = CASE WHEN $9::boolean THEN now() ELSE finished_at END,
         lease_owner = CASE WHEN $10::boolean THEN lease_owner END,
         lease_expires_at = CASE WHEN $10::boolean THEN lease_expires_at END`,
    `AND status NOT IN (${FINAL})`,
  ),
  // Steps of several runs in one statement (group commit): $1 is a JSON array of steps, each
  // with its run's fence (run_id, owner, epoch) and its place `n` in the group; $2 a JSON array
  // of transitions (as in transition_group) of some of those runs, made with their steps (a
  // run's last steps and its outcome). A run whose fence fails (or, with a transition, that is
  // final already) writes nothing; the ids of the runs written are returned.
  recordGroup: statement(
    "record_group",
    `WITH batch AS (
       SELECT * FROM json_to_recordset($1::json)
         AS b(run_id text, owner text, epoch int, n int, key text, kind text, status text, input json, output json, error json,
              attempts int, started_at timestamptz, finished_at timestamptz, plan json)),
     per_run AS (
       SELECT run_id, owner, epoch, count(*) AS c, (array_agg(plan ORDER BY n) FILTER (WHERE plan IS NOT NULL))[1] AS plan
       FROM batch GROUP BY run_id, owner, epoch),
     t AS (
       SELECT * FROM json_to_recordset($2::json)
         AS t(run_id text, status text, plan json, result json, error json, finished boolean, keep_lease boolean)),
     fenced AS (
       UPDATE runs r SET step_seq = r.step_seq + p.c, plan = COALESCE(t.plan, p.plan, r.plan), updated_at = now(),
         status = COALESCE(t.status, r.status), result = COALESCE(t.result, r.result), error = COALESCE(t.error, r.error),
         finished_at = CASE WHEN t.finished THEN now() ELSE r.finished_at END,
         lease_owner = CASE WHEN t.run_id IS NULL OR t.keep_lease THEN r.lease_owner END,
         lease_expires_at = CASE WHEN t.run_id IS NULL OR t.keep_lease THEN r.lease_expires_at END
       FROM per_run p LEFT JOIN t ON t.run_id = p.run_id
       WHERE r.id = p.run_id AND r.lease_owner = p.owner AND r.lease_epoch = p.epoch AND (t.run_id IS NULL OR r.status NOT IN (${FINAL}))
       RETURNING r.id, r.step_seq, p.c),
     written AS (
       INSERT INTO steps (run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch)
       SELECT b.run_id, b.key, f.step_seq - f.c + row_number() OVER (PARTITION BY b.run_id ORDER BY b.n), b.kind, b.status,
         b.input, b.output, b.error, b.attempts, b.started_at, b.finished_at, b.epoch
       FROM batch b JOIN fenced f ON f.id = b.run_id
       ON CONFLICT (run_id, key) DO UPDATE SET kind = EXCLUDED.kind, status = EXCLUDED.status, input = EXCLUDED.input,
         output = EXCLUDED.output, error = EXCLUDED.error, attempts = EXCLUDED.attempts, started_at = EXCLUDED.started_at,
         finished_at = EXCLUDED.finished_at, epoch = EXCLUDED.epoch)
     SELECT id FROM fenced`,
  ),
  steps: statement("steps", `SELECT ${STEP_COLUMNS} FROM steps WHERE run_id = $1 ORDER BY seq`),
  lockRun: statement("lock_run", "SELECT status FROM runs WHERE id = $1 FOR UPDATE"),
  stepStatus: statement("step_status", "SELECT status FROM steps WHERE run_id = $1 AND key = $2"),
  ambiguousKeys: statement("ambiguous_keys", "SELECT key FROM steps WHERE run_id = $1 AND status = 'ambiguous' ORDER BY seq"),
  deleteStep: statement("delete_step", "DELETE FROM steps WHERE run_id = $1 AND key = $2"),
  settleStep: statement(
    "settle_step",
    "UPDATE steps SET status = $3, output = $4::json, error = $5::json, finished_at = now() WHERE run_id = $1 AND key = $2",
  ),
  requeue: statement(
    "requeue",
    "UPDATE runs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, lease_epoch = lease_epoch + 1, updated_at = now() WHERE id = $1 AND status = 'waiting_approval'",
  ),
  prune: statement(
    "prune",
    `DELETE FROM runs WHERE status IN (${FINAL}) AND (
       ($1::float8 IS NOT NULL AND COALESCE(finished_at, updated_at) < now() - $1::float8 * interval '1 millisecond')
       OR ($2::bigint IS NOT NULL AND id NOT IN (SELECT id FROM runs WHERE status IN (${FINAL}) ORDER BY created_at DESC, id DESC LIMIT $2::bigint)))`,
  ),
  cancelledAmong: statement("cancelled_among", "SELECT id FROM runs WHERE status = 'cancelled' AND id = ANY($1::text[])"),
  // runs_active rather than runs_tenant_created: the count reads the unfinished runs, not the tenant's history.
  // Counts up to the cap ($2) and no further: the answer is only ever compared with the cap.
  activeRunsOfTenant: statement("active_runs_of_tenant", `SELECT count(*)::int AS n FROM (SELECT 1 FROM runs WHERE ${ACTIVE_RUNS} AND tenant = $1 LIMIT $2) AS active`),
  queueStats: statement("queue_stats", `SELECT count(*)::int AS depth, MIN(created_at) AS oldest FROM runs WHERE ${ACTIVE_RUNS} AND status = 'queued'`),
  // octet_length of the stored JSON text: the same bytes SQLite counts.
  storageBytes: statement(
    "storage_bytes",
    `SELECT ((SELECT ${octets("task", "plan", "result", "error")} FROM runs WHERE id = $1)
           + (SELECT COALESCE(SUM(${octets("input", "output", "error")}), 0) FROM steps WHERE run_id = $1))::float8 AS bytes`,
  ),
} as const;

function octets(...columns: string[]): string {
  return columns.map((c) => `COALESCE(octet_length(${c}::text), 0)`).join(" + ");
}
