import { CsAgentsError } from "../core/index.js";

/**
 * Bounds every Redis call in time and turns failures into one report per outage: the first
 * failure goes to `onError`, the next ones are only counted until a call succeeds again.
 * Without this a dead Redis would log once per request and flood the logs.
 */
export class RedisGuard {
  readonly #onError: (error: CsAgentsError) => void;
  readonly #target: string;
  #down = false;
  #failures = 0;

  constructor(target: string, onError: (error: CsAgentsError) => void) {
    this.#target = target;
    this.#onError = onError;
  }

  /** Failed or timed-out calls so far. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Runs `call`, rejecting after `timeoutMs` even if Redis never answers.
   * @throws CsAgentsError (CACHE_UNAVAILABLE, retryable) when the call fails or times out.
   */
  async run<T>(what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const result = await Promise.race([call(), timedOut]);
      this.#down = false;
      return result;
    } catch (error) {
      this.#failures++;
      throw this.failed(`${what} failed`, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reports a failure seen outside a call (the client's connection errors), without counting it. */
  failed(what: string, cause: unknown): CsAgentsError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new CsAgentsError("CACHE_UNAVAILABLE", `Redis cache at ${this.#target}: ${what}: ${reason}`, {
      cause,
      retryable: true,
    });
    if (!this.#down) {
      this.#down = true;
      this.#onError(error);
    }
    return error;
  }
}
