/** Where a webhook delivery stands: waiting (or retrying), delivered (a 2xx), or given up after its last attempt. */
export type DeliveryStatus = "pending" | "delivered" | "failed";

/**
 * One webhook of the outbox: a finished run's outcome to POST to its callback URL. The store
 * inserts it in the same commit as the run's final status; its id (`<run id>:final`) is the
 * `Webhook-Id` every attempt carries, so a receiver dedupes by it.
 */
export interface WebhookDelivery {
  readonly id: string;
  readonly runId: string;
  readonly tenant: string;
  readonly url: string;
  /** The event as JSON text, fixed when the run finished. */
  readonly payload: string;
  readonly status: DeliveryStatus;
  /** Attempts started so far (an attempt counts when it is claimed, so a crash mid-send counts too). */
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly deliveredAt: Date | undefined;
  readonly lastError: string | undefined;
}

/** A delivery claimed for one attempt; `epoch` fences the write of its outcome. */
export interface ClaimedDelivery extends WebhookDelivery {
  readonly workerId: string;
  readonly epoch: number;
}

/** What one attempt came to. */
export type DeliveryOutcome =
  | { readonly delivered: true }
  /** `retryAt` undefined: no attempt is left (or retrying cannot help): the delivery is failed, and kept. */
  | { readonly delivered: false; readonly error: string; readonly retryAt: Date | undefined };

export interface DeliveryClaimRequest {
  readonly workerId: string;
  /** How long the attempt may take before another deliverer may claim the delivery again. */
  readonly leaseMs: number;
  readonly limit: number;
}

/** The webhook outbox: claim due deliveries with a lease, record each attempt's outcome, read one run's. */
export interface DeliveryStore {
  /**
   * Claims up to `limit` pending deliveries that are due and not leased by a live attempt, due
   * first, counting an attempt on each. Two deliverers never hold the same delivery at once.
   */
  claimDeliveries(request: DeliveryClaimRequest): Promise<readonly ClaimedDelivery[]>;
  /** Records the attempt's outcome; false (nothing written) when the claim was lost to a newer one. */
  settleDelivery(claim: ClaimedDelivery, outcome: DeliveryOutcome): Promise<boolean>;
  /** The run's delivery, if its task named a callback URL and it has finished. */
  deliveryOfRun(runId: string): Promise<WebhookDelivery | undefined>;
}

/** A store with a webhook outbox. */
export interface WebhookOutbox {
  webhookDeliveries(): DeliveryStore;
}

/** A `webhook_deliveries` row as both stores read it; `T` is how the database hands back a time. */
export interface DeliveryRow<T> {
  id: string;
  run_id: string;
  tenant: string;
  url: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: T;
  delivered_at: T | null;
  last_error: string | null;
  lease_epoch: number;
}

/** The delivery a row holds; `toDate` reads the store's form of a time. */
export function deliveryFromRow<T>(row: DeliveryRow<T>, toDate: (value: T) => Date): WebhookDelivery {
  return {
    id: row.id,
    runId: row.run_id,
    tenant: row.tenant,
    url: row.url,
    payload: row.payload,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: toDate(row.next_attempt_at),
    deliveredAt: row.delivered_at === null ? undefined : toDate(row.delivered_at),
    lastError: row.last_error ?? undefined,
  };
}
