import { LlmError, toLlmError } from "./llm-error.js";

export interface RetryPolicy {
  /** Retries after the first attempt; 0 for one attempt only. */
  readonly maxRetries: number;
  /** First backoff when the server gives no `Retry-After`; doubles each retry. */
  readonly baseDelayMs: number;
  /**
   * Longest wait this process accepts. A `Retry-After` beyond it is not waited for: the call
   * fails at once (holding a run's lease for minutes helps nobody).
   */
  readonly maxDelayMs: number;
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Removed from every error message. */
  readonly secret: string;
  /** Injectable for tests. Default: a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told about each wait, for logs and tests. */
  readonly onRetry?: (error: LlmError, delayMs: number, attempt: number) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` with a fresh per-attempt timeout signal until it succeeds, retrying
 * retryable failures (429, 5xx, timeouts, refused connections). The wait honours the server's
 * `Retry-After`; without one it is exponential backoff with equal jitter.
 * @throws LlmError with the code of the last failure (LLM_RATE_LIMITED, LLM_UNAVAILABLE,
 *   LLM_TIMEOUT, LLM_REQUEST_FAILED, LLM_BAD_RESPONSE).
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: (signal: AbortSignal) => Promise<T>, stop?: AbortSignal): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  // The run's stop (a cancel, a budget's deadline) ends the request in flight and starts no
  // other: its own reason is thrown, not a timeout.
  const stopped = (): never => {
    throw stop?.reason instanceof Error ? stop.reason : new LlmError("LLM_TIMEOUT", "the run stopped the model request", { retryable: false });
  };
  for (let n = 0; ; n++) {
    if (stop?.aborted) stopped();
    try {
      const timeout = AbortSignal.timeout(policy.timeoutMs);
      return await attempt(stop ? AbortSignal.any([timeout, stop]) : timeout);
    } catch (thrown) {
      if (stop?.aborted) stopped();
      const error = toLlmError(thrown, policy.secret);
      if (!error.retryable || n >= policy.maxRetries) throw error;
      const backoff = policy.baseDelayMs * 2 ** n;
      const delayMs = error.retryAfterMs ?? backoff / 2 + (Math.random() * backoff) / 2;
      if (delayMs > policy.maxDelayMs) {
        throw new LlmError(error.code, `${error.message} (the server asked to wait ${Math.round(delayMs)} ms, more than the ${policy.maxDelayMs} ms accepted)`, { retryable: true });
      }
      policy.onRetry?.(error, delayMs, n + 1);
      await (stop ? untilStopped(sleep(delayMs), stop) : sleep(delayMs));
    }
  }
}

/** Resolves when `wait` does or `stop` aborts, whichever comes first (the loop then checks). */
function untilStopped(wait: Promise<void>, stop: AbortSignal): Promise<void> {
  if (stop.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      stop.removeEventListener("abort", done);
      resolve();
    };
    stop.addEventListener("abort", done, { once: true });
    void wait.then(done, done);
  });
}
