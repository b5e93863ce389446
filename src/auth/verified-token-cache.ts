import { LRUCache } from "lru-cache";
import type { JWTPayload } from "jose";
import type { Principal } from "./token-verifier.js";

/** A token whose signature verified: what it proved, and until when and under which keys that holds. */
export interface VerifiedToken {
  readonly principal: Principal;
  /** The verified claims: the ones that depend on time are checked again on every use. */
  readonly payload: JWTPayload;
  /** The key set's generation the signature was verified under (0 for a configured PEM key). */
  readonly generation: number;
  /** Milliseconds since the epoch (the verifier's clock) after which the entry is not used. */
  readonly until: number;
}

/**
 * Verified tokens by their exact text, bounded by count (least recently used go first). Only
 * tokens that verified get in, so a flood of bad tokens cannot push out good ones; the entry's
 * life is the verifier's clock, not the cache's, so tests and clock jumps see the same rule.
 */
export class VerifiedTokenCache {
  readonly #entries: LRUCache<string, VerifiedToken>;

  constructor(maxEntries: number) {
    this.#entries = new LRUCache({ max: maxEntries });
  }

  /** The entry for `token` if it is still within its life at `nowMs`; a lapsed one is dropped. */
  get(token: string, nowMs: number): VerifiedToken | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (nowMs >= entry.until) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry;
  }

  set(token: string, entry: VerifiedToken): void {
    this.#entries.set(token, entry);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  get size(): number {
    return this.#entries.size;
  }
}
