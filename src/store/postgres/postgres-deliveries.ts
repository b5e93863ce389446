import type pg from "pg";
import { deliveryFromRow as fromRow } from "../delivery-store.js";
import type { ClaimedDelivery, DeliveryOutcome, DeliveryRow as Row, DeliveryStore } from "../delivery-store.js";

type DeliveryRow = Row<Date>;
const deliveryFromRow = (row: DeliveryRow) => fromRow(row, (date) => date);


const COLUMNS = "d.id, d.run_id, d.tenant, d.url, d.payload, d.status, d.attempts, d.next_attempt_at, d.delivered_at, d.last_error, d.lease_epoch";

// One statement: due rows are locked with SKIP LOCKED, so racing deliverers each take others,
// and leased in place; times are the database clock's, as for run leases.
const CLAIM = `
WITH due AS (
  SELECT id FROM webhook_deliveries
  WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_expires_at IS NULL OR lease_expires_at <= now())
  ORDER BY next_attempt_at, id LIMIT $3
  FOR UPDATE SKIP LOCKED
)
UPDATE webhook_deliveries d SET lease_owner = $1, lease_epoch = d.lease_epoch + 1, lease_expires_at = now() + make_interval(secs => $2::double precision / 1000),
  attempts = d.attempts + 1
FROM due WHERE d.id = due.id
RETURNING ${COLUMNS}`;

const FENCE = "id = $1 AND lease_owner = $2 AND lease_epoch = $3 AND status = 'pending'";

/** The webhook outbox on PostgreSQL (see `DeliveryStore`). */
export function postgresDeliveries(pool: pg.Pool): DeliveryStore {
  return {
    async claimDeliveries(request) {
      if (request.limit < 1) return [];
      const { rows } = await pool.query<DeliveryRow>(CLAIM, [request.workerId, request.leaseMs, request.limit]);
      return rows
        .map((row) => ({ ...deliveryFromRow(row), workerId: request.workerId, epoch: row.lease_epoch }))
        .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || (a.id < b.id ? -1 : 1));
    },
    async settleDelivery(claim: ClaimedDelivery, outcome: DeliveryOutcome) {
      const fence = [claim.id, claim.workerId, claim.epoch];
      const result = outcome.delivered
        ? await pool.query(`UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), last_error = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE ${FENCE}`, fence)
        : await pool.query(
            `UPDATE webhook_deliveries SET status = CASE WHEN $5::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, last_error = $4,
               next_attempt_at = COALESCE($5::timestamptz, next_attempt_at), lease_owner = NULL, lease_expires_at = NULL WHERE ${FENCE}`,
            [...fence, outcome.error.slice(0, 2_000), outcome.retryAt ?? null],
          );
      return result.rowCount === 1;
    },
    async deliveryOfRun(runId) {
      const { rows } = await pool.query<DeliveryRow>(`SELECT ${COLUMNS} FROM webhook_deliveries d WHERE d.run_id = $1 ORDER BY d.id LIMIT 1`, [runId]);
      return rows[0] && deliveryFromRow(rows[0]);
    },
  };
}

