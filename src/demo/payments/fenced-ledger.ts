import { CsAgentsError } from "../../core/index.js";
import type { FencingToken } from "../../tools/index.js";

export interface Payment {
  readonly key: string;
  readonly epoch: number;
  readonly payee: string;
  readonly amountCents: number;
}

/** A call whose fencing token is older than one the ledger has already seen for its key. */
export class StaleEpochError extends CsAgentsError {
  constructor(key: string, epoch: number, seen: number) {
    super("STALE_EPOCH", `payment ${key} was refused: epoch ${epoch} is older than epoch ${seen}, which already called with this key`);
  }
}

export interface FencedLedger {
  /**
   * Pays once per key. A token with a lower epoch than the highest seen for its key is refused
   * (a worker that lost its lease); a repeat of a paid key returns the payment already made.
   * @throws StaleEpochError (STALE_EPOCH)
   */
  pay(token: FencingToken, payment: { readonly payee: string; readonly amountCents: number }): Payment;
  /** Every payment made, oldest first. */
  payments(): readonly Payment[];
}

/**
 * The downstream side of fencing, as a payment service would keep it: per idempotency key, the
 * highest epoch that called and the payment made. Held in memory: a demo and a test double.
 */
export function createFencedLedger(): FencedLedger {
  const highest = new Map<string, number>();
  const made = new Map<string, Payment>();
  return {
    pay(token, payment) {
      const seen = highest.get(token.key);
      if (seen !== undefined && token.epoch < seen) throw new StaleEpochError(token.key, token.epoch, seen);
      highest.set(token.key, token.epoch);
      const existing = made.get(token.key);
      if (existing) return existing;
      const paid: Payment = { key: token.key, epoch: token.epoch, payee: payment.payee, amountCents: payment.amountCents };
      made.set(token.key, paid);
      return paid;
    },
    payments: () => [...made.values()],
  };
}
