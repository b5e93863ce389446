/** How the client retries: attempts, back-off, and the longest it waits before one. */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 4. */
  readonly retries: number;
  /** The first back-off when the server gave no Retry-After; doubled each retry. Default 250 ms. */
  readonly baseDelayMs: number;
  /** No wait is longer than this, Retry-After included. Default 30,000 ms. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 30_000 };

/**
 * Retry-After as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * undefined for a missing or unreadable value; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  // An HTTP date starts with the day's name (IMF-fixdate, RFC 850 and asctime forms alike);
  // anything else Date.parse might still read ("-1" is a year) is not one.
  const at = /^[A-Za-z]{3,9},?\s/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait before retry number `retry` (0 for the first). With Retry-After, at least what the
 * server asked, plus up to 10 % jitter so clients told the same second do not return together;
 * without it, exponential back-off with equal jitter. Both capped at `maxDelayMs`.
 */
export function retryDelay(policy: RetryPolicy, retry: number, retryAfterMs: number | undefined, random: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, retryAfterMs + retryAfterMs * 0.1 * random());
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return full / 2 + (full / 2) * random();
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
