import { Redis } from "ioredis";
import type { LiveRunEvent } from "../api/index.js";
import type { EventListener } from "../engine/index.js";

/**
 * The engine's listener for a process that serves the API and runs workers: every event goes to
 * `listener` (metrics), and the model's text as it streams (`model.delta`) goes to the run's
 * event streams through `publish`. The text is not stored; the journal keeps the decision.
 */
export function withLiveModelText(listener: EventListener | undefined, publish: (runId: string, event: LiveRunEvent) => void): EventListener {
  return (event) => {
    listener?.(event);
    if (event.type !== "model.delta") return;
    publish(event.runId, { type: "model.delta", data: { subtaskId: event.subtaskId, agent: event.agent, stepKey: event.stepKey, text: event.text, at: new Date(event.at).toISOString() } });
  };
}

/**
 * Connections for live events across processes when REDIS_URL is set: a publish while Redis
 * is away is dropped, not queued (live events are not kept anyway); the subscriber reconnects
 * and subscribes again by itself.
 */
export function liveRedis(url: string): { readonly publisher: Redis; readonly subscriber: Redis; disconnect(): void } {
  const publisher = livePublisher(url);
  const subscriber = new Redis(url, { maxRetriesPerRequest: 1 });
  subscriber.on("error", () => undefined);
  return {
    publisher,
    subscriber,
    disconnect() {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/** The publishing half alone, for a process that runs runs but serves no streams (`cs-agents worker`). */
export function livePublisher(url: string): Redis {
  const publisher = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  publisher.on("error", () => undefined);
  return publisher;
}
