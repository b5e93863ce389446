import type { Migration } from "../migration.js";
import { SQLITE_CHILD_RUNS_MIGRATION } from "./migration-child-runs.js";

// Times are epoch milliseconds from the process clock (SQLite lives on one machine).
// JSON is TEXT, written and read verbatim, so key order and bytes match PostgreSQL's `json`.
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "init",
    sql: `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT,
  task TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'planning', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled')),
  plan TEXT,
  result TEXT,
  error TEXT,
  schema_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  lease_owner TEXT,
  lease_epoch INTEGER NOT NULL DEFAULT 0,
  lease_expires_at INTEGER,
  claims INTEGER NOT NULL DEFAULT 0,
  crashes INTEGER NOT NULL DEFAULT 0,
  step_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX runs_idempotency ON runs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_claimable ON runs (status, lease_expires_at, created_at);
CREATE INDEX runs_newest ON runs (created_at DESC, id DESC);
CREATE INDEX runs_tenant_newest ON runs (tenant, created_at DESC, id DESC);

CREATE TABLE steps (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  error TEXT,
  attempts INTEGER,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  epoch INTEGER NOT NULL,
  PRIMARY KEY (run_id, key)
) STRICT;
CREATE INDEX steps_order ON steps (run_id, seq);
`,
  },
  {
    version: 2,
    name: "service",
    // The HTTP service: who submitted a run and the hash of the request body (Idempotency-Key),
    // the hash-chained audit log (append-only: UPDATE and DELETE are refused), and the per-run
    // event log that Server-Sent Events resume from.
    sql: `
ALTER TABLE runs ADD COLUMN request_hash TEXT;
ALTER TABLE runs ADD COLUMN submitted_by TEXT;

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  tenant TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_tenant ON audit_log (tenant, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE run_events (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  key TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (run_id, id),
  UNIQUE (run_id, key)
) STRICT;
`,
  },
  {
    version: 3,
    name: "steps_without_order_index",
    // Every step commit wrote a page of steps_order too (~12 % of a no-op run's throughput).
    // A new step's place is now the table's next rowid, found at the right edge of the table
    // (no index); it is above every place already given, so a run's steps keep the order their
    // keys were first recorded in, old and new places alike. A run's few rows are found through
    // the primary key (run_id, key) and sorted.
    sql: `
DROP INDEX steps_order;
`,
  },
  {
    version: 4,
    name: "active_runs_index",
    // Claims read runs_claimable by status, then sorted every queued run by age, and a run that
    // finished still had an entry there. runs_active holds the runs not final, in claim order:
    // a claim reads the oldest few, whatever the history kept, and a run leaves the index when
    // it ends (one index page written instead of two). A query uses it when its WHERE repeats
    // this predicate word for word (migration 7 changed the predicate).
    sql: `
DROP INDEX runs_claimable;
CREATE INDEX runs_active ON runs (created_at, id) WHERE status NOT IN ('succeeded', 'failed', 'cancelled');
`,
  },
  {
    version: 5,
    name: "steps_clustered",
    // A rowid table with a (run_id, key) primary key is two b-trees: every step commit wrote a
    // page of each. WITHOUT ROWID keeps the rows in the primary key's own b-tree, a run's
    // steps side by side: one page per step commit (+4 % runs/s end to end, +19 % in the store
    // alone, in A/B). A new step's place is now its run's highest place + 1, read from those
    // rows (~45 ns a step already recorded: 44 µs at 1,000 steps); places already given keep
    // their order. The copy below rewrites the table once.
    sql: `
CREATE TABLE steps_clustered (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  error TEXT,
  attempts INTEGER,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  epoch INTEGER NOT NULL,
  PRIMARY KEY (run_id, key)
) STRICT, WITHOUT ROWID;
INSERT INTO steps_clustered (run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch)
  SELECT run_id, key, seq, kind, status, input, output, error, attempts, started_at, finished_at, epoch FROM steps;
DROP TABLE steps;
ALTER TABLE steps_clustered RENAME TO steps;
`,
  },
  {
    version: 6,
    name: "runs_ascending_indexes",
    // runs_newest and runs_tenant_newest were descending, so every new run went in at the left
    // edge of both, and a full left leaf split its neighbours as well: 1.6 pages written per
    // index per submit. Ascending, a new run goes in at the right edge (1.0 page), and the
    // newest-first listings read the same index backwards.
    sql: `
DROP INDEX runs_newest;
DROP INDEX runs_tenant_newest;
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_tenant_created ON runs (tenant, created_at, id);
`,
  },
  {
    version: 7,
    name: "runs_active_unfinished",
    // SQLite deletes and re-inserts a partial index's entry when a column its predicate names
    // changes, so with "status NOT IN (final)" every claim (queued → running) wrote a runs_active
    // page. finished_at changes only when a run ends, when it leaves the index anyway: 17.1 →
    // 16.1 pages per queued run. Final runs an older version left without finished_at get their
    // last update time, as pruning already assumed.
    sql: `
DROP INDEX runs_active;
UPDATE runs SET finished_at = updated_at WHERE finished_at IS NULL AND status IN ('succeeded', 'failed', 'cancelled');
UPDATE runs SET finished_at = NULL WHERE finished_at IS NOT NULL AND status NOT IN ('succeeded', 'failed', 'cancelled');
CREATE INDEX runs_active ON runs (created_at, id) WHERE finished_at IS NULL;
`,
  },
  {
    version: 8,
    name: "runs_quarantine",
    // A crash used to count against every run its worker held. A run orphaned by a crash is now
    // quarantined (claimed alone from then on), and only a lease held alone (lease_alone)
    // counts a crash when it expires. runs_quarantined holds the few quarantined runs not
    // final, so a claim finds one without reading the queue.
    sql: `
ALTER TABLE runs ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN lease_alone INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_quarantined ON runs (created_at, id) WHERE quarantined = 1 AND finished_at IS NULL;
`,
  },
  {
    version: 9,
    name: "runs_tenant_active",
    // The active-run cap counted a tenant's unfinished runs by walking runs_active, every
    // unfinished run of every tenant (685 µs a submission with 13,000 queued: 56 % of it).
    // This index holds one entry per unfinished run, grouped by tenant, so the count reads only
    // that tenant's entries, and the count stops at the cap. Like runs_active it changes only
    // when a run is submitted or ends. Keyed like runs_active behind the tenant, so it is never
    // the smaller choice for a query without a tenant: claims stay on runs_active, in order.
    sql: `
CREATE INDEX runs_tenant_active ON runs (tenant, created_at, id) WHERE finished_at IS NULL;
`,
  },
  {
    version: 10,
    name: "inline_runs",
    // Runs written before the artifact store hold their artifacts and large tool values inline
    // (a quarterly report: ~670 KiB of rows). inline_runs lists them; `cs-agents artifacts
    // --move-inline` moves their values into the artifact store and takes them off the list.
    // Until then they read as they are.
    sql: `
CREATE TABLE inline_runs (
  run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
INSERT INTO inline_runs (run_id) SELECT id FROM runs;
`,
  },
  {
    version: 11,
    name: "runs_sleeping",
    // A sleeping run (a durable timer) holds no lease; wake_at says when a claim may take it
    // again. runs_sleeping holds only sleeping runs, by due time, so a claim finds the due ones
    // without reading the queue, and the queue's claim stays on runs_active. SQLite cannot widen
    // a CHECK in place, so runs is rebuilt (rows, rowids and indexes as they were); foreign keys
    // are off meanwhile, or dropping the old table would cascade to every run's steps.
    foreignKeysOff: true,
    sql: `
CREATE TABLE runs_rebuilt (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT,
  task TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'planning', 'running', 'waiting_approval', 'sleeping', 'succeeded', 'failed', 'cancelled')),
  plan TEXT,
  result TEXT,
  error TEXT,
  schema_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  lease_owner TEXT,
  lease_epoch INTEGER NOT NULL DEFAULT 0,
  lease_expires_at INTEGER,
  claims INTEGER NOT NULL DEFAULT 0,
  crashes INTEGER NOT NULL DEFAULT 0,
  step_seq INTEGER NOT NULL DEFAULT 0,
  request_hash TEXT,
  submitted_by TEXT,
  quarantined INTEGER NOT NULL DEFAULT 0,
  lease_alone INTEGER NOT NULL DEFAULT 0,
  wake_at INTEGER
) STRICT;
INSERT INTO runs_rebuilt (rowid, id, tenant, idempotency_key, task, status, plan, result, error, schema_version, created_at, updated_at, finished_at,
    lease_owner, lease_epoch, lease_expires_at, claims, crashes, step_seq, request_hash, submitted_by, quarantined, lease_alone)
  SELECT rowid, id, tenant, idempotency_key, task, status, plan, result, error, schema_version, created_at, updated_at, finished_at,
    lease_owner, lease_epoch, lease_expires_at, claims, crashes, step_seq, request_hash, submitted_by, quarantined, lease_alone FROM runs;
DROP TABLE runs;
ALTER TABLE runs_rebuilt RENAME TO runs;
CREATE UNIQUE INDEX runs_idempotency ON runs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_tenant_created ON runs (tenant, created_at, id);
CREATE INDEX runs_active ON runs (created_at, id) WHERE finished_at IS NULL;
CREATE INDEX runs_quarantined ON runs (created_at, id) WHERE quarantined = 1 AND finished_at IS NULL;
CREATE INDEX runs_tenant_active ON runs (tenant, created_at, id) WHERE finished_at IS NULL;
CREATE INDEX runs_sleeping ON runs (wake_at, id) WHERE status = 'sleeping';
`,
  },
  {
    version: 12,
    name: "runs_waiting_input",
    // A run waiting for a person's answer (a tool's ctx.ask) holds no lease, like a sleeping run;
    // with a default answer, wake_at says when a claim takes it to record the default.
    // runs_waking replaces runs_sleeping: both statuses by due time, so the claim's one look
    // for due runs covers both. The status CHECK widens, so runs is rebuilt as in migration 11
    // (foreign keys off, or dropping the old table would cascade to every run's steps).
    foreignKeysOff: true,
    sql: `
CREATE TABLE runs_rebuilt (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT,
  task TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'planning', 'running', 'waiting_approval', 'sleeping', 'waiting_input', 'succeeded', 'failed', 'cancelled')),
  plan TEXT,
  result TEXT,
  error TEXT,
  schema_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  lease_owner TEXT,
  lease_epoch INTEGER NOT NULL DEFAULT 0,
  lease_expires_at INTEGER,
  claims INTEGER NOT NULL DEFAULT 0,
  crashes INTEGER NOT NULL DEFAULT 0,
  step_seq INTEGER NOT NULL DEFAULT 0,
  request_hash TEXT,
  submitted_by TEXT,
  quarantined INTEGER NOT NULL DEFAULT 0,
  lease_alone INTEGER NOT NULL DEFAULT 0,
  wake_at INTEGER
) STRICT;
INSERT INTO runs_rebuilt (rowid, id, tenant, idempotency_key, task, status, plan, result, error, schema_version, created_at, updated_at, finished_at,
    lease_owner, lease_epoch, lease_expires_at, claims, crashes, step_seq, request_hash, submitted_by, quarantined, lease_alone, wake_at)
  SELECT rowid, id, tenant, idempotency_key, task, status, plan, result, error, schema_version, created_at, updated_at, finished_at,
    lease_owner, lease_epoch, lease_expires_at, claims, crashes, step_seq, request_hash, submitted_by, quarantined, lease_alone, wake_at FROM runs;
DROP TABLE runs;
ALTER TABLE runs_rebuilt RENAME TO runs;
CREATE UNIQUE INDEX runs_idempotency ON runs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_tenant_created ON runs (tenant, created_at, id);
CREATE INDEX runs_active ON runs (created_at, id) WHERE finished_at IS NULL;
CREATE INDEX runs_quarantined ON runs (created_at, id) WHERE quarantined = 1 AND finished_at IS NULL;
CREATE INDEX runs_tenant_active ON runs (tenant, created_at, id) WHERE finished_at IS NULL;
CREATE INDEX runs_waking ON runs (wake_at, id) WHERE status IN ('sleeping', 'waiting_input');
`,
  },
  {
    version: 13,
    name: "webhook_deliveries",
    // The webhook outbox. A trigger, not the store's code, inserts a finished run's delivery: it
    // fires inside whatever statement finishes the run (a worker's transition, a cancel, a poison
    // verdict), so the row commits or rolls back with the final status, and no path that finishes
    // a run can forget it. INSERT OR IGNORE keeps the id (<run id>:final) unique. A migration that
    // rebuilds runs must create this trigger again (DROP TABLE drops it).
    sql: `
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tenant TEXT NOT NULL,
  url TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error TEXT,
  lease_owner TEXT,
  lease_epoch INTEGER NOT NULL DEFAULT 0,
  lease_expires_at INTEGER,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_run ON webhook_deliveries (run_id);
CREATE TRIGGER runs_finished_webhook AFTER UPDATE OF status ON runs
  WHEN NEW.status IN ('succeeded', 'failed', 'cancelled') AND OLD.status NOT IN ('succeeded', 'failed', 'cancelled')
    AND json_extract(NEW.task, '$.callbackUrl') IS NOT NULL
BEGIN
  INSERT OR IGNORE INTO webhook_deliveries (id, run_id, tenant, url, payload, next_attempt_at, created_at)
  VALUES (
    NEW.id || ':final', NEW.id, NEW.tenant, json_extract(NEW.task, '$.callbackUrl'),
    json_object(
      'id', NEW.id || ':final', 'type', 'run.finished', 'runId', NEW.id, 'status', NEW.status,
      'result', json(NEW.result),
      'error', CASE WHEN NEW.error IS NULL THEN NULL ELSE json_object('code', json_extract(NEW.error, '$.code'), 'message', json_extract(NEW.error, '$.message')) END,
      'finishedAt', strftime('%Y-%m-%dT%H:%M:%fZ', COALESCE(NEW.finished_at, NEW.updated_at) / 1000.0, 'unixepoch')),
    COALESCE(NEW.finished_at, NEW.updated_at), COALESCE(NEW.finished_at, NEW.updated_at));
END;
`,
  },
  {
    version: 14,
    name: "schedules",
    // Tasks submitted on a cron or an interval. schedules_due holds only unpaused schedules, by
    // next tick, so the tick loop finds the due ones without reading the rest. last_tick is what
    // the last due tick did (submitted, or skipped and why).
    sql: `
CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT,
  spec TEXT NOT NULL,
  next_run_at INTEGER NOT NULL,
  last_run_at INTEGER,
  last_tick TEXT,
  paused INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX schedules_due ON schedules (next_run_at, id) WHERE paused = 0;
CREATE INDEX schedules_tenant ON schedules (tenant, created_at, id);
`,
  },
  {
    version: 15,
    name: "runs_priority",
    // Claims take higher priorities first within a tenant, and share the workers across
    // tenants. runs_waiting holds only the runs waiting for a worker (no lease, not final, not
    // asleep or held), per tenant in claim order, so a claim reads each waiting tenant's first
    // few entries, not the queue. runs_leased holds the runs a worker holds (a few per worker
    // slot): a claim counts them per tenant, and finds an expired one, without the queue. A
    // heartbeat changes neither predicate's columns, so it rewrites neither index.
    sql: `
ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 5 CHECK (priority BETWEEN 0 AND 9);
CREATE INDEX runs_waiting ON runs (tenant, priority DESC, created_at, id) WHERE lease_owner IS NULL AND status IN ('queued', 'planning', 'running');
CREATE INDEX runs_leased ON runs (tenant, lease_owner) WHERE lease_owner IS NOT NULL;
`,
  },
  SQLITE_CHILD_RUNS_MIGRATION,
  {
    version: 17,
    name: "runs_forked_from",
    // A fork (POST /v1/tasks/{id}/fork) names the run and the step it was forked from. Columns
    // added, the runs table not rebuilt: every trigger and index on it stays as it is. runs_forks
    // holds only forks, by parent, so a parent's view lists its forks without reading the rest.
    // No foreign key: pruning a parent leaves its forks, which name an id that is gone.
    sql: `
ALTER TABLE runs ADD COLUMN forked_from_run TEXT;
ALTER TABLE runs ADD COLUMN forked_from_step TEXT;
CREATE INDEX runs_forks ON runs (forked_from_run, created_at, id) WHERE forked_from_run IS NOT NULL;
`,
  },
];
