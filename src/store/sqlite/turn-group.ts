import type { Settled } from "../settled.js";

export type { Settled } from "../settled.js";

interface Waiting<I, T> {
  readonly item: I;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Group commit for a synchronous database: calls made in the same turn of the event loop wait
 * for the end of that turn (setImmediate) and are committed together, one transaction and one
 * WAL append for the group. `commit` runs the whole group in one transaction, each item in a
 * savepoint of its own, and returns one outcome per item; each caller settles only once the
 * group has committed, so nothing is answered before it is durable. If the commit itself fails,
 * every item of the group fails with that error (none of them was written).
 */
export class TurnGroup<I, T> {
  readonly #commit: (items: readonly I[]) => readonly Settled<T>[];
  readonly #maxGroup: number;
  #waiting: Waiting<I, T>[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(commit: (items: readonly I[]) => readonly Settled<T>[], maxGroup = 256) {
    this.#commit = commit;
    this.#maxGroup = maxGroup;
  }

  add(item: I): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits everything waiting now (the store calls it before it closes). */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    while (this.#waiting.length > 0) {
      const group = this.#waiting.splice(0, this.#maxGroup);
      let outcomes: readonly Settled<T>[];
      try {
        outcomes = this.#commit(group.map((w) => w.item));
      } catch (error) {
        for (const w of group) w.reject(error);
        continue;
      }
      group.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) w.resolve(outcome.value);
        else w.reject(outcome ? outcome.error : new Error("group commit returned no outcome"));
      });
    }
  }
}
