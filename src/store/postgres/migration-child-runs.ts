import type { Migration } from "../migration.js";

/**
 * PostgreSQL migration 13: child runs. A run can be a subtask of another run (parent_id,
 * parent_subtask). A parent waiting for its children holds no lease (`waiting_children`);
 * runs_child_finished queues it again in the commit of any child's final status, whatever path
 * finishes the child (a worker's outcome, a group commit, a cancel, a poison verdict). It locks
 * the parent's row first, even when the parent is not waiting yet: a parent going to wait locks
 * its row before it looks at its children (`sleep`), so one of the two always sees the other's
 * commit and no wake-up is lost. runs_cancelled_children cancels a cancelled run's unfinished
 * children; PostgreSQL triggers fire for the rows a trigger updates, so it reaches every
 * descendant. runs_waking now covers `waiting_children` too (a parent with a timer also due).
 */
export const POSTGRES_CHILD_RUNS_MIGRATION: Migration = {
  version: 13,
  name: "child_runs",
  sql: `
ALTER TABLE runs DROP CONSTRAINT runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check
  CHECK (status IN ('queued', 'planning', 'running', 'waiting_approval', 'sleeping', 'waiting_input', 'waiting_children', 'succeeded', 'failed', 'cancelled'));
ALTER TABLE runs ADD COLUMN parent_id text;
ALTER TABLE runs ADD COLUMN parent_subtask text;
CREATE INDEX runs_parent ON runs (parent_id, created_at, id) WHERE parent_id IS NOT NULL;
DROP INDEX runs_waking;
CREATE INDEX runs_waking ON runs (wake_at, id) WHERE status IN ('sleeping', 'waiting_input', 'waiting_children');
CREATE FUNCTION runs_child_finished() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM 1 FROM runs WHERE id = NEW.parent_id FOR UPDATE;
  UPDATE runs SET status = 'queued', wake_at = NULL, updated_at = now() WHERE id = NEW.parent_id AND status = 'waiting_children';
  RETURN NULL;
END
$fn$;
CREATE TRIGGER runs_child_finished AFTER UPDATE OF status ON runs FOR EACH ROW
  WHEN (NEW.parent_id IS NOT NULL AND NEW.status IN ('succeeded', 'failed', 'cancelled') AND OLD.status NOT IN ('succeeded', 'failed', 'cancelled'))
  EXECUTE FUNCTION runs_child_finished();
CREATE FUNCTION runs_cancelled_children() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE runs SET status = 'cancelled', wake_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
      error = json_build_object('code', 'CANCELLED', 'message', 'cancelled with its parent run ' || NEW.id),
      finished_at = now(), updated_at = now()
    WHERE parent_id = NEW.id AND status NOT IN ('succeeded', 'failed', 'cancelled');
  RETURN NULL;
END
$fn$;
CREATE TRIGGER runs_cancelled_children AFTER UPDATE OF status ON runs FOR EACH ROW
  WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
  EXECUTE FUNCTION runs_cancelled_children();
`,
};
