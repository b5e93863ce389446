/** What the group commit itself needs of an entry: its keys, and how to fail it with its group. */
export interface GroupItem {
  /** Entries with a key already in a group wait for the next one (one write per row per statement). */
  readonly keys: readonly string[];
  reject(error: unknown): void;
}

/** One caller's write waiting to be committed with others; the writer resolves it once committed. */
export interface GroupEntry extends GroupItem {
  resolve(): void;
}

/**
 * Group commit: while a write is on its way to the database, the writes that arrive meanwhile
 * queue and go together in the next statement, one transaction and one WAL flush for all of
 * them. A writer alone is sent at once, so a sequential caller waits no longer than before;
 * under concurrency (a worker with many runs in flight) statements, round trips and commits
 * per step fall with the number of writers. `write` commits a group and settles each entry on
 * its own (one lost lease fails one caller, not the group). One group in flight at a time by
 * default: measured with 3 workers × 32 runs on 2 cores, 1 in flight gave 814 runs/s, 2 gave
 * 667 and 4 gave 575 (fewer, larger statements cost the machine less CPU).
 */
export class GroupCommit<E extends GroupItem> {
  readonly #write: (group: readonly E[]) => Promise<void>;
  readonly #maxGroup: number;
  readonly #inFlight: number;
  #queue: E[] = [];
  #sending = 0;

  constructor(write: (group: readonly E[]) => Promise<void>, options: { maxGroup?: number; inFlight?: number } = {}) {
    this.#write = write;
    this.#maxGroup = options.maxGroup ?? 200;
    this.#inFlight = options.inFlight ?? 1;
  }

  /** Queues the entry; it settles when its group committed or failed. */
  add(entry: E): void {
    this.#queue.push(entry);
    if (this.#sending < this.#inFlight) this.#send();
  }

  #send(): void {
    const group = this.#take();
    if (group.length === 0) return;
    this.#sending += 1;
    this.#write(group)
      .catch((error: unknown) => {
        for (const entry of group) entry.reject(error);
      })
      .finally(() => {
        this.#sending -= 1;
        if (this.#queue.length > 0) this.#send();
      });
  }

  /** The oldest entries, up to maxGroup, leaving for later any that touches a key already taken. */
  #take(): E[] {
    const group: E[] = [];
    const rest: E[] = [];
    const taken = new Set<string>();
    for (const entry of this.#queue) {
      if (group.length >= this.#maxGroup || entry.keys.some((key) => taken.has(key))) {
        rest.push(entry);
        continue;
      }
      for (const key of entry.keys) taken.add(key);
      group.push(entry);
    }
    this.#queue = rest;
    return group;
  }
}
