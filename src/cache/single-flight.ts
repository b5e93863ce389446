/** Shares one execution of `work` among concurrent callers of the same key, in this process. */
export interface SingleFlight<T> {
  /** Runs `work`, or joins the run already in flight for `key` (same result, same error). */
  run(key: string, work: () => Promise<T>): Promise<T>;
  /** Whether a run for `key` is in flight now, i.e. whether `run` would join it. */
  has(key: string): boolean;
}

/**
 * A map of in-flight promises: the first caller of a key starts `work`, callers arriving before it
 * settles get the same promise, and the key is free again once it settles (results are not kept;
 * that is the cache's job).
 */
export function singleFlight<T>(): SingleFlight<T> {
  const inFlight = new Map<string, Promise<T>>();
  return {
    run(key, work) {
      const running = inFlight.get(key);
      if (running) return running;
      // Started in a microtask, so even a `work` that throws synchronously is registered first.
      const started = Promise.resolve()
        .then(work)
        .finally(() => inFlight.delete(key));
      inFlight.set(key, started);
      return started;
    },
    has: (key) => inFlight.has(key),
  };
}
