import type { Migration } from "../migration.js";

/**
 * SQLite migration 16: child runs. A run can be a subtask of another run (parent_id,
 * parent_subtask). A parent waiting for its children holds no lease (`waiting_children`); a
 * trigger queues it again in the commit of any child's final status, whatever path finishes the
 * child (a worker's outcome, a cancel, a poison verdict), and another cancels a cancelled run's
 * unfinished descendants in the commit of its cancel. The status CHECK widens, so runs is
 * rebuilt as in migration 12 (foreign keys off, or dropping the old table would cascade to every
 * run's steps), with priority (migration 15), every index of 11, 12 and 15 and the webhook
 * trigger of migration 13 (DROP TABLE drops it) made again. runs_waking now covers
 * `waiting_children` too: a parent with a timer also due wakes at the timer.
 */
export const SQLITE_CHILD_RUNS_MIGRATION: Migration = {
  version: 16,
  name: "child_runs",
  foreignKeysOff: true,
  sql: `
CREATE TABLE runs_rebuilt (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT,
  task TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'planning', 'running', 'waiting_approval', 'sleeping', 'waiting_input', 'waiting_children', 'succeeded', 'failed', 'cancelled')),
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
  wake_at INTEGER,
  priority INTEGER NOT NULL DEFAULT 5 CHECK (priority BETWEEN 0 AND 9),
  parent_id TEXT,
  parent_subtask TEXT
) STRICT;
INSERT INTO runs_rebuilt (rowid, id, tenant, idempotency_key, task, status, plan, result, error, schema_version, created_at, updated_at, finished_at,
    lease_owner, lease_epoch, lease_expires_at, claims, crashes, step_seq, request_hash, submitted_by, quarantined, lease_alone, wake_at, priority)
  SELECT rowid, id, tenant, idempotency_key, task, status, plan, result, error, schema_version, created_at, updated_at, finished_at,
    lease_owner, lease_epoch, lease_expires_at, claims, crashes, step_seq, request_hash, submitted_by, quarantined, lease_alone, wake_at, priority FROM runs;
DROP TABLE runs;
ALTER TABLE runs_rebuilt RENAME TO runs;
CREATE UNIQUE INDEX runs_idempotency ON runs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_tenant_created ON runs (tenant, created_at, id);
CREATE INDEX runs_active ON runs (created_at, id) WHERE finished_at IS NULL;
CREATE INDEX runs_quarantined ON runs (created_at, id) WHERE quarantined = 1 AND finished_at IS NULL;
CREATE INDEX runs_tenant_active ON runs (tenant, created_at, id) WHERE finished_at IS NULL;
CREATE INDEX runs_waking ON runs (wake_at, id) WHERE status IN ('sleeping', 'waiting_input', 'waiting_children');
CREATE INDEX runs_waiting ON runs (tenant, priority DESC, created_at, id) WHERE lease_owner IS NULL AND status IN ('queued', 'planning', 'running');
CREATE INDEX runs_leased ON runs (tenant, lease_owner) WHERE lease_owner IS NOT NULL;
CREATE INDEX runs_parent ON runs (parent_id, created_at, id) WHERE parent_id IS NOT NULL;
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
CREATE TRIGGER runs_child_finished AFTER UPDATE OF status ON runs
  WHEN NEW.parent_id IS NOT NULL AND NEW.status IN ('succeeded', 'failed', 'cancelled') AND OLD.status NOT IN ('succeeded', 'failed', 'cancelled')
BEGIN
  UPDATE runs SET status = 'queued', wake_at = NULL, updated_at = COALESCE(NEW.finished_at, NEW.updated_at)
    WHERE id = NEW.parent_id AND status = 'waiting_children';
END;
CREATE TRIGGER runs_cancelled_children AFTER UPDATE OF status ON runs
  WHEN NEW.status = 'cancelled' AND OLD.status <> 'cancelled'
BEGIN
  UPDATE runs SET status = 'cancelled', wake_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
      error = json_object('code', 'CANCELLED', 'message', 'cancelled with its parent run ' || parent_id),
      finished_at = COALESCE(NEW.finished_at, NEW.updated_at), updated_at = COALESCE(NEW.finished_at, NEW.updated_at)
    WHERE finished_at IS NULL AND id IN (
      WITH RECURSIVE tree (id) AS (
        SELECT id FROM runs WHERE parent_id = NEW.id
        UNION SELECT r.id FROM runs r JOIN tree ON r.parent_id = tree.id)
      SELECT id FROM tree);
END;
`,
};
