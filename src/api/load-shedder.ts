import { monitorEventLoopDelay } from "node:perf_hooks";
import type { IntervalHistogram } from "node:perf_hooks";
import { ApiError } from "./problem.js";

export interface LoadShedderOptions {
  /** Requests served at once (per process) past which new ones answer 503; 0: no bound. */
  readonly maxInFlight: number;
  /**
   * Event-loop delay (the 99th percentile over the last sampling window, in ms) past which new
   * requests answer 503 until it falls again; 0: not watched.
   */
  readonly maxEventLoopDelayMs: number;
  /** What Retry-After says. Default 1. */
  readonly retryAfterSeconds?: number;
  /** How often the event-loop delay is looked at. Default 500. */
  readonly sampleMs?: number;
}

/** Lets a request in, or not: `release` ends its turn (calling it again does nothing). */
export type Release = () => void;

/**
 * Past saturation, answers new requests 503 OVERLOADED at once, before any token or store work,
 * instead of letting them queue behind the ones already being served: a bound on requests in
 * flight (a slow store piles them up) and, optionally, on event-loop delay (a saturated CPU
 * makes every request late). The health, readiness and metrics routes are not sent here.
 */
export class LoadShedder {
  readonly #options: Required<LoadShedderOptions>;
  #inFlight = 0;
  #lagging = false;
  #histogram: IntervalHistogram | undefined;
  #timer: NodeJS.Timeout | undefined;
  // Built once: past saturation every refusal must be cheap, and an Error's stack costs more
  // than the rest of the check (the answer never shows a stack).
  readonly #full: ApiError;
  readonly #behind: ApiError;

  constructor(options: LoadShedderOptions) {
    this.#options = { retryAfterSeconds: 1, sampleMs: 500, ...options };
    this.#full = this.#overloaded(`${options.maxInFlight} requests are being served`);
    this.#behind = this.#overloaded(`its event loop is more than ${options.maxEventLoopDelayMs} ms behind`);
    if (options.maxEventLoopDelayMs > 0) {
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      this.#histogram = histogram;
      this.#timer = setInterval(() => {
        this.#lagging = histogram.percentile(99) / 1e6 > options.maxEventLoopDelayMs;
        histogram.reset();
      }, this.#options.sampleMs);
      this.#timer.unref();
    }
  }

  /** Requests admitted and not yet released. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The OVERLOADED error a request would be refused with now, or undefined when it would be admitted. */
  refusal(): ApiError | undefined {
    const { maxInFlight } = this.#options;
    if (maxInFlight > 0 && this.#inFlight >= maxInFlight) return this.#full;
    return this.#lagging ? this.#behind : undefined;
  }

  /**
   * Admits one request.
   * @throws ApiError (OVERLOADED, 503, Retry-After) when the process is past either bound.
   */
  admit(): Release {
    const refusal = this.refusal();
    if (refusal) throw refusal;
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
    };
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#histogram?.disable();
  }

  #overloaded(why: string): ApiError {
    const seconds = this.#options.retryAfterSeconds;
    return new ApiError("OVERLOADED", `the server is overloaded (${why}); retry in ${seconds} s`, { headers: { "Retry-After": String(seconds) }, i18n: { key: "api.overloaded", params: { seconds } } });
  }
}
