import type { ServerResponse } from "node:http";
import { FINAL_RUN_STATUSES } from "../core/index.js";
import type { RunStatus } from "../core/index.js";
import type { ServiceStore } from "../store/index.js";
import { deriveRunEvents, lastRunStatus } from "./run-events.js";

export interface EventStreamOptions {
  readonly store: Pick<ServiceStore, "get" | "load" | "syncRunEvents" | "listRunEvents">;
  readonly runId: string;
  /** Events up to this id were delivered before a reconnect. */
  readonly afterId: number;
  readonly pollMs: number;
  /** A comment line is sent this often so proxies keep the connection. */
  readonly keepAliveMs: number;
  /** Aborted when the client goes away or the server drains. */
  readonly signal: AbortSignal;
  readonly onError: (error: unknown) => void;
}

/**
 * Writes the run's events to `raw` as Server-Sent Events until the run ends (after its final
 * `run.*` event), the client leaves, or the server drains. Each event's `id` is its id in the
 * store's event log, so `Last-Event-ID` resumes with nothing lost or repeated.
 */
export async function streamRunEvents(raw: ServerResponse, options: EventStreamOptions): Promise<void> {
  const { store, runId, signal } = options;
  let afterId = options.afterId;
  // The run status the log last recorded (folded from every event up to `folded`): the next
  // status event is proposed relative to it.
  let status: { status: RunStatus; count: number } | undefined;
  let folded = 0;
  let sinceWrite = 0;
  raw.write(`retry: ${Math.max(1_000, options.pollMs * 4)}\n\n`);
  while (!signal.aborted) {
    try {
      const run = await store.get(runId);
      if (!run) break;
      const steps = await store.load(runId);
      await store.syncRunEvents(runId, deriveRunEvents(run, steps, status));
      for (const event of await store.listRunEvents(runId, Math.min(afterId, folded))) {
        if (event.id > folded) {
          status = lastRunStatus([event], status);
          folded = event.id;
        }
        if (event.id > afterId) {
          raw.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
          afterId = event.id;
          sinceWrite = 0;
        }
      }
      // Ended: the log holds the final status event and the client has everything up to it.
      if (status && FINAL_RUN_STATUSES.has(status.status) && afterId >= folded) break;
    } catch (error) {
      options.onError(error);
      break;
    }
    sinceWrite += options.pollMs;
    if (sinceWrite >= options.keepAliveMs) {
      raw.write(": keep-alive\n\n");
      sinceWrite = 0;
    }
    await sleep(options.pollMs, signal);
  }
  raw.end();
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
