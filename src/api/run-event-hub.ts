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
  /** A run got its first subscriber here (`follow`) or lost its last (`unfollow`): where live events from other processes are asked for. */
  readonly onFollow?: { readonly follow: (runId: string) => void; readonly unfollow: (runId: string) => void };
}

/**
 * Something a run shows while it happens and that is not kept: the model's text as it is
 * generated (`model.delta`). It has no id, so a client that resumes with Last-Event-ID resumes
 * from the last journaled event; what streamed meanwhile is in that event's step.
 */
export interface LiveRunEvent {
  readonly id?: undefined;
  readonly type: "model.delta";
  readonly data: Readonly<Record<string, unknown>>;
}

/** Live events a subscriber may hold unread; past it new ones are dropped (they are never stored, so nothing is resumed). */
const MAX_LIVE_BUFFERED = 256;

/** What the hub has done since it was made: monotonic counts (metrics follow them). */
interface HubCounts {
  /** Looks at the store: one round of queries for one followed run, whatever its subscribers. */
  storeReads: number;
  /** Subscribers ended for falling `maxBuffered` events behind. */
  cut: number;
}

/** One subscriber's events, in id order (live ones, when asked for, where they happened); it ends when the run has ended, or early (see `cut`). */
export interface RunEventSubscription<E extends RunEvent | LiveRunEvent = RunEvent> extends AsyncIterable<E> {
  /** True when it ended because it fell `maxBuffered` events behind: resume after the last id read. */
  readonly cut: boolean;
}

export interface SubscribeOptions {
  readonly afterId: number;
  readonly signal: AbortSignal;
  /** Also the run's live events (`publish`), where they happen among the logged ones. */
  readonly live?: boolean;
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
  readonly #options: FeedOptions;
  readonly #feeds = new Map<string, RunFeed>();
  readonly #counts: HubCounts = { storeReads: 0, cut: 0 };
  #closed = false;

  readonly #onFollow: RunEventHubOptions["onFollow"];

  constructor(options: RunEventHubOptions) {
    const { onFollow, ...rest } = options;
    this.#options = { maxBuffered: 1_024, ...rest };
    this.#onFollow = onFollow;
  }

  /** Events of `runId` with id > `afterId`, until the run has ended, `signal` aborts, or the hub closes. */
  subscribe(runId: string, options: SubscribeOptions & { readonly live: true }): RunEventSubscription<RunEvent | LiveRunEvent>;
  subscribe(runId: string, options: SubscribeOptions): RunEventSubscription;
  subscribe(runId: string, options: SubscribeOptions): RunEventSubscription<RunEvent | LiveRunEvent> {
    const subscriber = new Subscriber(options.afterId, this.#options.maxBuffered, options.live === true, () => this.#counts.cut++);
    if (this.#closed || options.signal.aborted) {
      subscriber.end();
      return subscriber.subscription();
    }
    let feed = this.#feeds.get(runId);
    if (!feed) {
      feed = new RunFeed(runId, this.#options, this.#counts, () => this.#closed, (done) => {
        if (this.#feeds.get(runId) !== done) return;
        this.#feeds.delete(runId);
        this.#onFollow?.unfollow(runId);
      });
      this.#feeds.set(runId, feed);
      this.#onFollow?.follow(runId);
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

  /**
   * Hands a live event of `runId` to its subscribers that asked for live events. Nothing is
   * kept: a run nobody follows in this process drops it.
   */
  publish(runId: string, event: LiveRunEvent): void {
    this.#feeds.get(runId)?.publish(event);
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
    for (const [runId, feed] of this.#feeds) {
      feed.endAll();
      this.#onFollow?.unfollow(runId);
    }
    this.#feeds.clear();
  }
}

type FeedOptions = Required<Omit<RunEventHubOptions, "onError" | "onFollow">> & Pick<RunEventHubOptions, "onError">;

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
    readonly options: FeedOptions,
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

  publish(event: LiveRunEvent): void {
    if (this.#final) return;
    for (const subscriber of this.#subscribers) subscriber.pushLive(event);
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
  #queue: (RunEvent | LiveRunEvent)[] = [];
  #live = 0;
  #cursor: number;
  #ended = false;
  #cut = false;
  #error: unknown;
  #notify: (() => void) | undefined;
  onLeave: (() => void) | undefined;

  constructor(
    afterId: number,
    readonly maxBuffered: number,
    readonly wantsLive: boolean,
    readonly onCut: () => void,
  ) {
    this.#cursor = afterId;
  }

  pushLive(event: LiveRunEvent): void {
    if (this.#ended || !this.wantsLive || this.#live >= MAX_LIVE_BUFFERED) return;
    this.#live += 1;
    this.#queue.push(event);
    this.#notify?.();
  }

  push(events: readonly RunEvent[]): void {
    if (this.#ended) return;
    // Still more than the bound unread since earlier looks: too far behind. Drop what it has not
    // read and end it, instead of holding more (one look's events are taken whole).
    if (this.#queue.length - this.#live > this.maxBuffered) {
      this.#cut = true;
      this.onCut();
      this.#queue = [];
      this.#live = 0;
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

  subscription(): RunEventSubscription<RunEvent | LiveRunEvent> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below reads this subscriber
    const self = this;
    return {
      get cut() {
        return self.#cut;
      },
      [Symbol.asyncIterator]: () => this.#events(),
    };
  }

  async *#events(): AsyncGenerator<RunEvent | LiveRunEvent> {
    try {
      for (;;) {
        const next = this.#queue.shift();
        if (next !== undefined) {
          if (next.id === undefined) this.#live -= 1;
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
      this.#live = 0;
      this.onLeave?.();
    }
  }
}
