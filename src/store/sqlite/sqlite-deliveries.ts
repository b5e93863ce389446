import type Database from "better-sqlite3";
import { deliveryFromRow as fromRow } from "../delivery-store.js";
import type { ClaimedDelivery, DeliveryClaimRequest, DeliveryOutcome, DeliveryRow as Row, DeliveryStore } from "../delivery-store.js";

/** SQLite keeps times as epoch milliseconds. */
type DeliveryRow = Row<number>;
const deliveryFromRow = (row: DeliveryRow) => fromRow(row, (ms) => new Date(ms));


const COLUMNS = "id, run_id, tenant, url, payload, status, attempts, next_attempt_at, delivered_at, last_error, lease_owner, lease_epoch";

/**
 * The webhook outbox on a SQLite connection. A claim is one IMMEDIATE transaction (the write lock
 * serializes deliverers, in this process or another one on the same file); the epoch it bumps
 * fences the outcome, as a run's lease epoch fences its journal.
 */
export function sqliteDeliveries(db: Database.Database): DeliveryStore {
  let cached: ReturnType<typeof prepare> | undefined;
  const sql = () => (cached ??= prepare(db));
  const claim = db.transaction((request: DeliveryClaimRequest, now: number): DeliveryRow[] => {
    const ids = sql().due.pluck().all({ now, limit: request.limit }) as string[];
    return ids.map((id) => sql().lease.get({ id, owner: request.workerId, expiresAt: now + request.leaseMs }) as DeliveryRow);
  });
  return {
    async claimDeliveries(request) {
      if (request.limit < 1) return [];
      return claim.immediate(request, Date.now()).map((row) => ({ ...deliveryFromRow(row), workerId: request.workerId, epoch: row.lease_epoch }));
    },
    async settleDelivery(claimed: ClaimedDelivery, outcome: DeliveryOutcome) {
      const fence = { id: claimed.id, owner: claimed.workerId, epoch: claimed.epoch, now: Date.now() };
      const changes = outcome.delivered
        ? sql().delivered.run(fence).changes
        : sql().attemptFailed.run({ ...fence, error: outcome.error.slice(0, 2_000), retryAt: outcome.retryAt?.getTime() ?? null }).changes;
      return changes === 1;
    },
    async deliveryOfRun(runId) {
      const row = sql().ofRun.get(runId) as DeliveryRow | undefined;
      return row && deliveryFromRow(row);
    },
  };
}

function prepare(db: Database.Database) {
  return {
    due: db.prepare<{ now: number; limit: number }>(
      `SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now)
       ORDER BY next_attempt_at, id LIMIT @limit`,
    ),
    lease: db.prepare<{ id: string; owner: string; expiresAt: number }>(
      `UPDATE webhook_deliveries SET lease_owner = @owner, lease_epoch = lease_epoch + 1, lease_expires_at = @expiresAt, attempts = attempts + 1
       WHERE id = @id RETURNING ${COLUMNS}`,
    ),
    delivered: db.prepare<{ id: string; owner: string; epoch: number; now: number }>(
      `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = @now, last_error = NULL, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @id AND lease_owner = @owner AND lease_epoch = @epoch AND status = 'pending'`,
    ),
    attemptFailed: db.prepare<{ id: string; owner: string; epoch: number; now: number; error: string; retryAt: number | null }>(
      `UPDATE webhook_deliveries SET status = CASE WHEN @retryAt IS NULL THEN 'failed' ELSE 'pending' END, last_error = @error,
         next_attempt_at = COALESCE(@retryAt, next_attempt_at), lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @id AND lease_owner = @owner AND lease_epoch = @epoch AND status = 'pending'`,
    ),
    ofRun: db.prepare<[string]>(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE run_id = ? ORDER BY id LIMIT 1`),
  };
}

