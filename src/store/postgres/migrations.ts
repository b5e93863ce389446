import type { Migration } from "../migration.js";
import { POSTGRES_CHILD_RUNS_MIGRATION } from "./migration-child-runs.js";

// Times are timestamptz from the database clock, so workers' clocks never decide a lease.
// JSON is `json`, not `jsonb`: it keeps the recorded text verbatim (key order included), so a
// replay reads back exactly what was journaled and both adapters return identical values.
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "init",
    sql: `
CREATE TABLE runs (
  id text PRIMARY KEY,
  tenant text NOT NULL DEFAULT '',
  idempotency_key text,
  task json NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'planning', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled')),
  plan json,
  result json,
  error json,
  schema_version integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  lease_owner text,
  lease_epoch integer NOT NULL DEFAULT 0,
  lease_expires_at timestamptz,
  claims integer NOT NULL DEFAULT 0,
  crashes integer NOT NULL DEFAULT 0,
  step_seq integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX runs_idempotency ON runs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_claimable ON runs (status, lease_expires_at, created_at);
CREATE INDEX runs_newest ON runs (created_at DESC, id DESC);
CREATE INDEX runs_tenant_newest ON runs (tenant, created_at DESC, id DESC);

CREATE TABLE steps (
  run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key text NOT NULL,
  seq integer NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  input json,
  output json,
  error json,
  attempts integer,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  epoch integer NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX steps_order ON steps (run_id, seq);
`,
  },
  {
    version: 2,
    name: "service",
    // The HTTP service: who submitted a run and the hash of the request body (Idempotency-Key),
    // the hash-chained audit log (append-only: UPDATE, DELETE and TRUNCATE are refused), and
    // the per-run event log that Server-Sent Events resume from.
    sql: `
ALTER TABLE runs ADD COLUMN request_hash text, ADD COLUMN submitted_by text;

CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at text NOT NULL,
  tenant text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  details json NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE run_events (
  run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  id integer NOT NULL,
  key text NOT NULL,
  type text NOT NULL,
  data json NOT NULL,
  PRIMARY KEY (run_id, id),
  UNIQUE (run_id, key)
);
`,
  },
  {
    version: 3,
    name: "active_runs_index",
    // Claims walked runs_newest from the oldest run and filtered out every finished run before
    // the first queued one: 3 ms per claim with 20,000 finished runs kept. runs_active holds the
    // runs not final, in claim order, so a claim reads the oldest few whatever the history kept.
    // Without lease_expires_at in any index, a heartbeat can be a HOT update. CREATE INDEX
    // blocks writes to runs while it builds (it runs inside the migration's transaction).
    sql: `
DROP INDEX runs_claimable;
CREATE INDEX runs_active ON runs (created_at, id) WHERE status NOT IN ('succeeded', 'failed', 'cancelled');
`,
  },
  {
    version: 4,
    name: "runs_ascending_indexes",
    // Descending, every new run went in at the left edge of runs_newest and runs_tenant_newest;
    // a B-tree's fast path for ever-growing keys is at its right edge. Ascending, the
    // newest-first listings read the same indexes backwards. CREATE INDEX blocks writes to runs
    // while it builds, as in migration 3.
    sql: `
DROP INDEX runs_newest;
DROP INDEX runs_tenant_newest;
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_tenant_created ON runs (tenant, created_at, id);
`,
  },
  {
    version: 5,
    name: "runs_quarantine",
    // A crash used to count against every run its worker held. A run orphaned by a crash is now
    // quarantined (claimed alone from then on), and only a lease held alone (lease_alone)
    // counts a crash when it expires. runs_quarantined holds the few quarantined runs not
    // final, so a claim finds one without reading the queue. Adding a column with a constant
    // default rewrites no rows.
    sql: `
ALTER TABLE runs ADD COLUMN quarantined boolean NOT NULL DEFAULT false;
ALTER TABLE runs ADD COLUMN lease_alone boolean NOT NULL DEFAULT false;
CREATE INDEX runs_quarantined ON runs (created_at, id) WHERE quarantined AND status NOT IN ('succeeded', 'failed', 'cancelled');
`,
  },
  {
    version: 6,
    name: "runs_tenant_active",
    // The active-run cap counted a tenant's unfinished runs from runs_active, every unfinished
    // run of every tenant. This index holds only unfinished runs, grouped by tenant, so the
    // count reads that tenant's entries, and it stops at the cap. Its predicate is runs_active's
    // word for word: status is already in an index predicate, so no update loses HOT here.
    // Keyed like runs_active behind the tenant, so it is never the smaller choice for a query
    // without a tenant: with (tenant) alone the planner claimed a short queue through it and sorted.
    sql: `
CREATE INDEX runs_tenant_active ON runs (tenant, created_at, id) WHERE status NOT IN ('succeeded', 'failed', 'cancelled');
`,
  },
  {
    version: 7,
    name: "inline_runs",
    // Runs written before the artifact store hold their artifacts and large tool values inline.
    // inline_runs lists them; `cs-agents artifacts --move-inline` moves their values into the
    // artifact store and takes them off the list. Until then they read as they are.
    sql: `
CREATE TABLE inline_runs (
  run_id text PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE
);
INSERT INTO inline_runs (run_id) SELECT id FROM runs;
`,
  },
  {
    version: 8,
    name: "runs_sleeping",
    // A sleeping run (a durable timer) holds no lease; wake_at says when a claim may take it
    // again, on the database clock. runs_sleeping holds only sleeping runs, by due time, so a
    // claim finds the due ones without reading the queue.
    sql: `
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('queued', 'planning', 'running', 'waiting_approval', 'sleeping', 'succeeded', 'failed', 'cancelled'));
ALTER TABLE runs ADD COLUMN wake_at timestamptz;
CREATE INDEX runs_sleeping ON runs (wake_at, id) WHERE status = 'sleeping';
`,
  },
  {
    version: 9,
    name: "runs_waiting_input",
    // A run waiting for a person's answer (a tool's ctx.ask) holds no lease, like a sleeping run;
    // with a default answer, wake_at says when a claim takes it to record the default.
    // runs_waking replaces runs_sleeping: both statuses by due time, for the claim's one look.
    sql: `
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('queued', 'planning', 'running', 'waiting_approval', 'sleeping', 'waiting_input', 'succeeded', 'failed', 'cancelled'));
DROP INDEX runs_sleeping;
CREATE INDEX runs_waking ON runs (wake_at, id) WHERE status IN ('sleeping', 'waiting_input');
`,
  },
  {
    version: 10,
    name: "webhook_deliveries",
    // The webhook outbox. A trigger, not the store's code, inserts a finished run's delivery: it
    // fires inside whatever statement finishes the run (a worker's transition, a group commit, a
    // cancel, a poison verdict), so the row commits or rolls back with the final status, and no
    // path that finishes a run can forget it. The id (<run id>:final) is inserted once.
    sql: `
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  run_id text NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tenant text NOT NULL,
  url text NOT NULL,
  payload text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  delivered_at timestamptz,
  last_error text,
  lease_owner text,
  lease_epoch integer NOT NULL DEFAULT 0,
  lease_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_run ON webhook_deliveries (run_id);
CREATE FUNCTION runs_finished_webhook() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO webhook_deliveries (id, run_id, tenant, url, payload, next_attempt_at)
  VALUES (
    NEW.id || ':final', NEW.id, NEW.tenant, NEW.task->>'callbackUrl',
    json_build_object(
      'id', NEW.id || ':final', 'type', 'run.finished', 'runId', NEW.id, 'status', NEW.status,
      'result', NEW.result,
      'error', CASE WHEN NEW.error IS NULL THEN NULL ELSE json_build_object('code', NEW.error->>'code', 'message', NEW.error->>'message') END,
      'finishedAt', to_char(COALESCE(NEW.finished_at, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text,
    COALESCE(NEW.finished_at, now()))
  ON CONFLICT (id) DO NOTHING;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER runs_finished_webhook AFTER UPDATE OF status ON runs FOR EACH ROW
  WHEN (NEW.status IN ('succeeded', 'failed', 'cancelled') AND OLD.status NOT IN ('succeeded', 'failed', 'cancelled') AND NEW.task->>'callbackUrl' IS NOT NULL)
  EXECUTE FUNCTION runs_finished_webhook();
`,
  },
  {
    version: 11,
    name: "schedules",
    // Tasks submitted on a cron or an interval. schedules_due holds only unpaused schedules, by
    // next tick, so the tick loop finds the due ones without reading the rest. last_tick is what
    // the last due tick did (submitted, or skipped and why).
    sql: `
CREATE TABLE schedules (
  id text PRIMARY KEY,
  tenant text NOT NULL,
  name text,
  spec json NOT NULL,
  next_run_at timestamptz NOT NULL,
  last_run_at timestamptz,
  last_tick json,
  paused boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedules_due ON schedules (next_run_at, id) WHERE NOT paused;
CREATE INDEX schedules_tenant ON schedules (tenant, created_at, id);
`,
  },
  {
    version: 12,
    name: "runs_priority",
    // Claims take higher priorities first within a tenant, and share the workers across
    // tenants. runs_waiting holds only the runs waiting for a worker (no lease, not final, not
    // asleep or held), per tenant in claim order, so a claim reads each waiting tenant's first
    // few entries, not the queue. runs_leased holds the runs a worker holds: a claim counts them
    // per tenant, and finds an expired one, without the queue. Neither names lease_expires_at,
    // so a heartbeat stays a HOT update. ADD COLUMN with a constant default rewrites no rows.
    sql: `
ALTER TABLE runs ADD COLUMN priority smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 0 AND 9);
CREATE INDEX runs_waiting ON runs (tenant, priority DESC, created_at, id) WHERE lease_owner IS NULL AND status IN ('queued', 'planning', 'running');
CREATE INDEX runs_leased ON runs (tenant, lease_owner) WHERE lease_owner IS NOT NULL;
`,
  },
  POSTGRES_CHILD_RUNS_MIGRATION,
  {
    version: 14,
    name: "runs_forked_from",
    // A fork (POST /v1/tasks/{id}/fork) names the run and the step it was forked from. ADD COLUMN
    // without a default rewrites no rows. runs_forks holds only forks, by parent. No foreign key:
    // pruning a parent leaves its forks, which name an id that is gone.
    sql: `
ALTER TABLE runs ADD COLUMN forked_from_run text;
ALTER TABLE runs ADD COLUMN forked_from_step text;
CREATE INDEX runs_forks ON runs (forked_from_run, created_at, id) WHERE forked_from_run IS NOT NULL;
`,
  },
];
