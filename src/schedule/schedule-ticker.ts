import { newRunId } from "../core/index.js";
import type { FiredTick, ScheduleStore } from "../store/index.js";
import { DEFAULT_LATE_AFTER_MS, planTick } from "./plan-tick.js";

export interface ScheduleTickerOptions {
  readonly store: Pick<ScheduleStore, "fireDueSchedules" | "listSchedules">;
  /** How often the loop looks for due schedules. Default 1 s. */
  readonly pollMs?: number;
  /** Schedules fired per look, at most. Default 50. */
  readonly batch?: number;
  /** The tenant's active-run cap (0 or absent: none): a tick over it is refused and recorded. */
  readonly maxActiveRuns?: number;
  /** The tenant's rate limit: a reason when the tenant may not submit now. */
  readonly admit?: (tenant: string) => Promise<string | undefined>;
  /** See `planTick`. */
  readonly lateAfterMs?: number;
  /** Default: the process clock. Tests pass a fake one. */
  readonly clock?: () => Date;
  readonly newRunId?: () => string;
  /** After each look that fired something: metrics, and waking the worker for new runs. */
  readonly onFired?: (ticks: readonly FiredTick[]) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * The loop that fires due schedules. Any number of replicas may run it against one store: a
 * tick's run is submitted with the tick's idempotency key in the transaction that moves the
 * schedule to its next tick, so a tick makes one run however many loops race for it.
 */
export class ScheduleTicker {
  readonly #options: ScheduleTickerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = true;

  constructor(options: ScheduleTickerOptions) {
    const pollMs = options.pollMs ?? 1_000;
    if (!Number.isInteger(pollMs) || pollMs < 10) throw new RangeError(`pollMs must be a whole number of milliseconds ≥ 10, got ${String(pollMs)}`);
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops the loop; waits for a look in progress to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One look: fires every due schedule (up to the batch) at the clock's now. */
  async tickOnce(): Promise<readonly FiredTick[]> {
    const { store, clock, lateAfterMs, admit } = this.#options;
    const now = (clock ?? (() => new Date()))();
    const limit = this.#options.batch ?? 50;
    const refused = new Map<string, string>();
    if (admit) {
      // Asked before the store's transaction (the limiter may be Redis): a replica that loses the
      // race for the tick has spent one of the tenant's requests, never submitted a second run.
      for (const schedule of await store.listSchedules({ dueBy: now, limit })) {
        const reason = await admit(schedule.tenant);
        if (reason !== undefined) refused.set(schedule.id, reason);
      }
    }
    const fired = await store.fireDueSchedules({
      now,
      limit,
      plan: (schedule) => planTick(schedule, now, lateAfterMs ?? DEFAULT_LATE_AFTER_MS),
      newRunId: this.#options.newRunId ?? (() => newRunId()),
      ...(this.#options.maxActiveRuns ? { maxActiveRuns: this.#options.maxActiveRuns } : {}),
      ...(refused.size > 0 ? { refused } : {}),
    });
    if (fired.length > 0) this.#options.onFired?.(fired);
    return fired;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      const look = this.tickOnce().catch((error: unknown) => this.#options.onError?.(error));
      this.#running = look;
      void look.finally(() => this.#schedule(this.#options.pollMs ?? 1_000));
    }, delayMs);
  }
}
