import { FINAL_RUN_STATUSES } from "../core/index.js";
import type { RunStatus } from "../core/index.js";
import type { RunEvent, ServiceStore } from "../store/index.js";
import { deriveRunEvents, lastRunStatus } from "./run-events.js";

export interface RunEventSourceOptions {
  readonly store: Pick<ServiceStore, "get" | "load" | "syncRunEvents" | "listRunEvents">;
  readonly runId: string;
  /** Events up to this id were delivered before a reconnect. */
  readonly afterId: number;
  readonly pollMs: number;
  /** Aborted when the client goes away or the server drains. */
  readonly signal: AbortSignal;
  readonly onError: (error: unknown) => void;
}

/**
 * The run's events after `afterId`, in order, until the run ends (its final `run.*` event has
 * been yielded), the signal aborts, or the store fails (reported to `onError`). Each event's
 * `id` is its id in the store's event log, so resuming from the last id loses and repeats
 * nothing, whichever door the client follows it through.
 */
export async function* runEventSource(options: RunEventSourceOptions): AsyncGenerator<RunEvent, void, undefined> {
  const { store, runId, signal } = options;
  let afterId = options.afterId;
  // The run status the log last recorded (folded from every event up to `folded`): the next
  // status event is proposed relative to it.
  let status: { status: RunStatus; count: number } | undefined;
  let folded = 0;
  while (!signal.aborted) {
    let events: readonly RunEvent[];
    try {
      const run = await store.get(runId);
      if (!run) return;
      const steps = await store.load(runId);
      await store.syncRunEvents(runId, deriveRunEvents(run, steps, status));
      events = await store.listRunEvents(runId, Math.min(afterId, folded));
    } catch (error) {
      options.onError(error);
      return;
    }
    for (const event of events) {
      if (event.id > folded) {
        status = lastRunStatus([event], status);
        folded = event.id;
      }
      if (event.id > afterId) {
        afterId = event.id;
        yield event;
        if (signal.aborted) return;
      }
    }
    // Ended: the log holds the final status event and the client has everything up to it.
    if (status && FINAL_RUN_STATUSES.has(status.status) && afterId >= folded) return;
    await sleep(options.pollMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
