/** Milliseconds on a clock that never jumps (not wall time): `performance.now()` by default. */
export type MonotonicClock = () => number;

export interface LeaseDeadlineOptions {
  readonly leaseMs: number;
  /** Kept back from the lease. Default: 10 % of the lease, at least 200 ms, at most half the lease. */
  readonly marginMs?: number;
  readonly now?: MonotonicClock;
  /** Called once, when the deadline passes (found by its timer or by `held`). */
  readonly onPassed?: () => void;
}

/** The margin a worker keeps back from its lease when none is configured. */
export function defaultLeaseMarginMs(leaseMs: number): number {
  return Math.min(Math.max(leaseMs * 0.1, 200), leaseMs / 2);
}

/**
 * A worker's own idea of how long it still holds a run's lease. The database extends a lease
 * from the moment it takes the claim or heartbeat, which is after the worker sent it; so
 * "sent at + lease − margin" on the worker's monotonic clock never outlasts the database's lease,
 * whatever the network or a paused process did in between. Past it, the worker must start
 * nothing more for the run: another worker may already have claimed it.
 */
export class LeaseDeadline {
  readonly #leaseMs: number;
  readonly #marginMs: number;
  readonly #now: MonotonicClock;
  readonly #onPassed: (() => void) | undefined;
  readonly #controller = new AbortController();
  #deadline: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** `confirmedSentAt`: when the claim the database confirmed was sent, on the same clock. */
  constructor(options: LeaseDeadlineOptions, confirmedSentAt: number) {
    this.#leaseMs = options.leaseMs;
    this.#marginMs = options.marginMs ?? defaultLeaseMarginMs(options.leaseMs);
    this.#now = options.now ?? (() => performance.now());
    this.#onPassed = options.onPassed;
    this.#deadline = confirmedSentAt + this.#leaseMs - this.#marginMs;
    this.#arm();
  }

  /** The monotonic time after which the lease may be gone. */
  get deadline(): number {
    return this.#deadline;
  }

  /** Aborts when the deadline passes: for calls already on their way. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * A heartbeat sent at `sentAt` was confirmed by the database: the lease runs from then. An
   * older confirmation arriving late never shortens it. Nothing once the deadline has passed:
   * a lease found lost stays lost.
   */
  confirm(sentAt: number): void {
    if (this.#closed || !this.held()) return;
    const deadline = sentAt + this.#leaseMs - this.#marginMs;
    if (deadline <= this.#deadline) return;
    this.#deadline = deadline;
    this.#arm();
  }

  /**
   * Whether the lease is still held by this clock, checked now rather than by a timer: a process
   * woken from a pause runs its pending I/O before its timers, so only a check at the point of
   * use sees that the time is up.
   */
  held(): boolean {
    if (this.#controller.signal.aborted) return false;
    if (this.#now() < this.#deadline) return true;
    this.#pass();
    return false;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    const waitMs = this.#deadline - this.#now();
    if (waitMs <= 0) {
      this.#pass();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Timers may fire early by a fraction of a millisecond: not passed yet, wait again.
      if (!this.#closed && this.held()) this.#arm();
    }, waitMs);
    this.#timer.unref();
  }

  #pass(): void {
    if (this.#controller.signal.aborted) return;
    clearTimeout(this.#timer);
    this.#controller.abort(new Error(`the lease's local deadline passed (lease ${this.#leaseMs} ms, margin ${this.#marginMs} ms)`));
    this.#onPassed?.();
  }
}
