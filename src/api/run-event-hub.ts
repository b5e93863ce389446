import { FINAL_RUN_STATUSES } from "../core/index.js";
import type { RunStatus } from "../core/index.js";
import type { RunEvent, ServiceStore } from "../store/index.js";
import { deriveRunEvents, lastRunStatus } from "./run-events.js";

export type RunFeedStore = Pick<ServiceStore, "get" | "load" | "syncRunEvents" | "listRunEvents">;

export interface RunEventHubOptions {
  readonly store: RunFeedStore;
  /** How often a followed run is looked at when nothing woke it. */
  readonly pollMs: number;
  /** Events one subscriber may leave unread from one look to the next; past it the subscriber is cut. Default 1,024. */
  readonly maxBuffered?: number;
  /** A store failure while following a run (its subscribers end with it), once per run. */
  readonly onError?: (error: unknown, runId: string) => void;
}

/** One subscriber's events, in id order; it ends when the run has ended, or early (see `cut`). */
/** What the hub has done since it was made: monotonic counts (metrics follow them). */
interface HubCounts {
  /** Looks at the store: one round of queries for one followed run, whatever its subscribers. */
  storeReads: number;
  /** Subscribers ended for falling `maxBuffered` events behind. */
  cut: number;
}

export interface RunEventSubscription extends AsyncIterable<RunEvent> {
  /** True when it ended because it fell `maxBuffered` events behind: resume after the last id read. */
  readonly cut: boolean;
}

/**
 * Follows each run that has subscribers with one poller, however many subscribers it has: one
 * round of store queries per run per look (and per wake-up), fanned out in process to every
 * subscriber's bounded buffer. A subscriber that stops reading is cut rather than buffered
 * without bound; its client resumes from the last id it got. `wake` makes a run's poller look
 * now — this process's workers and cancellations call it — so delivery does not wait for the
 * poll interval.
 */
export class RunEventHub {
  readonly #options: Required<Omit<RunEventHubOptions, "onError">> & Pick<RunEventHubOptions, "onError">;
  readonly #feeds = new Map<string, RunFeed>();
  readonly #counts: HubCounts = { storeReads: 0, cut: 0 };
  #closed = false;

  constructor(options: RunEventHubOptions) {
    this.#options = { maxBuffered: 1_024, ...options };
  }

  /** Events of `runId` with id > `afterId`, until the run has ended, `signal` aborts, or the hub closes. */
  subscribe(runId: string, options: { readonly afterId: number; readonly signal: AbortSignal }): RunEventSubscription {
    const subscriber = new Subscriber(options.afterId, this.#options.maxBuffered, () => this.#counts.cut++);
    if (this.#closed || options.signal.aborted) {
      subscriber.end();
      return subscriber.subscription();
    }
    let feed = this.#feeds.get(runId);
    if (!feed) {
      feed = new RunFeed(runId, this.#options, this.#counts, () => this.#closed, (done) => {
        if (this.#feeds.get(runId) === done) this.#feeds.delete(runId);
      });
      this.#feeds.set(runId, feed);
    }
    const joined = feed;
    joined.join(subscriber);
    const leave = () => {
      subscriber.end();
      joined.leave(subscriber);
    };
    options.signal.addEventListener("abort", leave, { once: true });
    subscriber.onLeave = () => {
      options.signal.removeEventListener("abort", leave);
      joined.leave(subscriber);
    };
    return subscriber.subscription();
  }

  /** Something of `runId` changed in this process: its poller, if it has one, looks now. */
  wake(runId: string): void {
    this.#feeds.get(runId)?.wake();
  }

  /** Runs being followed and their subscribers now; looks at the store and subscribers cut so far (for metrics and tests). */
  stats(): { readonly runs: number; readonly subscribers: number; readonly storeReads: number; readonly cut: number } {
    let subscribers = 0;
    for (const feed of this.#feeds.values()) subscribers += feed.size;
    return { runs: this.#feeds.size, subscribers, ...this.#counts };
  }

  /** Ends every subscription (a drain: clients resume elsewhere with the last id they got). */
  close(): void {
    this.#closed = true;
    for (const feed of this.#feeds.values()) feed.endAll();
    this.#feeds.clear();
  }
}

/** One run's poller: reads the run once per look and hands the new events to every subscriber. */
class RunFeed {
  readonly #subscribers = new Set<Subscriber>();
  /** Every event read so far, in id order: a late subscriber with any afterId is served from it. */
  readonly #log: RunEvent[] = [];
  #status: { status: RunStatus; count: number } | undefined;
  #folded = 0;
  #final = false;
  #running = false;
  #woken = false;
  #sleeper: (() => void) | undefined;

  constructor(
    readonly runId: string,
    readonly options: Required<Omit<RunEventHubOptions, "onError">> & Pick<RunEventHubOptions, "onError">,
    readonly counts: HubCounts,
    readonly closed: () => boolean,
    readonly done: (feed: RunFeed) => void,
  ) {}

  get size(): number {
    return this.#subscribers.size;
  }

  join(subscriber: Subscriber): void {
    this.#subscribers.add(subscriber);
    subscriber.push(this.#log);
    if (this.#final) subscriber.end();
    if (!this.#running) {
      this.#running = true;
      void this.#follow();
    }
  }

  leave(subscriber: Subscriber): void {
    this.#subscribers.delete(subscriber);
    if (this.#subscribers.size === 0) this.wake();
  }

  wake(): void {
    this.#woken = true;
    this.#sleeper?.();
  }

  endAll(error?: unknown): void {
    for (const subscriber of this.#subscribers) subscriber.end(error);
    this.#subscribers.clear();
    this.wake();
  }

  async #follow(): Promise<void> {
    try {
      while (this.#subscribers.size > 0 && !this.closed() && !this.#final) {
        this.#woken = false;
        await this.#look();
        if (this.#final || this.#subscribers.size === 0) break;
        if (!this.#woken) await this.#sleep();
      }
    } catch (error) {
      this.options.onError?.(error, this.runId);
      this.endAll(error);
    } finally {
      this.#running = false;
      this.done(this);
    }
  }

  /** One look: the run's new events into the log (the whole log the first time), out to everyone. */
  async #look(): Promise<void> {
    const { store } = this.options;
    this.counts.storeReads++;
    const run = await store.get(this.runId);
    if (!run) {
      this.#final = true;
      this.endAll();
      return;
    }
    const steps = await store.load(this.runId);
    await store.syncRunEvents(this.runId, deriveRunEvents(run, steps, this.#status));
    const fresh = await store.listRunEvents(this.runId, this.#folded);
    for (const event of fresh) {
      this.#status = lastRunStatus([event], this.#status);
      this.#folded = event.id;
      this.#log.push(event);
    }
    this.#final = this.#status !== undefined && FINAL_RUN_STATUSES.has(this.#status.status);
    for (const subscriber of [...this.#subscribers]) {
      subscriber.push(fresh);
      if (this.#final) subscriber.end();
    }
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs);
      this.#sleeper = done;
    });
  }
}

/** A bounded buffer between the run's poller and one reader. */
class Subscriber {
  #queue: RunEvent[] = [];
  #cursor: number;
  #ended = false;
  #cut = false;
  #error: unknown;
  #notify: (() => void) | undefined;
  onLeave: (() => void) | undefined;

  constructor(
    afterId: number,
    readonly maxBuffered: number,
    readonly onCut: () => void,
  ) {
    this.#cursor = afterId;
  }

  push(events: readonly RunEvent[]): void {
    if (this.#ended) return;
    // Still more than the bound unread since earlier looks: too far behind. Drop what it has not
    // read and end it, instead of holding more (one look's events are taken whole).
    if (this.#queue.length > this.maxBuffered) {
      this.#cut = true;
      this.onCut();
      this.#queue = [];
      this.end();
      return;
    }
    for (const event of events) {
      if (event.id <= this.#cursor) continue;
      this.#queue.push(event);
      this.#cursor = event.id;
    }
    this.#notify?.();
  }

  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#notify?.();
  }

  subscription(): RunEventSubscription {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below reads this subscriber
    const self = this;
    return {
      get cut() {
        return self.#cut;
      },
      [Symbol.asyncIterator]: () => this.#events(),
    };
  }

  async *#events(): AsyncGenerator<RunEvent> {
    try {
      for (;;) {
        const next = this.#queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.#ended) {
          if (this.#error !== undefined) throw this.#error;
          return;
        }
        await new Promise<void>((resolve) => (this.#notify = resolve));
        this.#notify = undefined;
      }
    } finally {
      this.#ended = true;
      this.#queue = [];
      this.onLeave?.();
    }
  }
}
