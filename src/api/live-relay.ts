import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { LiveRunEvent } from "./run-event-hub.js";

const CHANNEL_PREFIX = "cs-agents:live:";

/** The Redis channel of one run's live events. */
export function liveChannel(runId: string): string {
  return `${CHANNEL_PREFIX}${runId}`;
}

/**
 * Live events (the model's text as it streams) between processes: the worker that runs a run
 * publishes on the run's channel, and every API process subscribes to the channels of the runs
 * it has streams for — so a client connected to any replica sees a run executed on any other.
 * Nothing is stored: Redis pub/sub drops what nobody listens to, as the events promise. A piece
 * from another process may arrive after the journaled event of its step (the step holds the
 * whole answer); a process's own pieces reach its streams directly, in order.
 */
export interface LiveRelay {
  /** Sends a run's live event to every process following the run. Never throws; a Redis outage drops it. */
  publish(runId: string, event: LiveRunEvent): void;
  /** This process follows `runId`: its live events from any process arrive at `deliver`. */
  follow(runId: string): void;
  unfollow(runId: string): void;
}

/**
 * A relay through Redis pub/sub: `publisher` is any connection (a publish on a connection
 * that is down is dropped at once, not queued), `subscriber` a connection of its own (a
 * subscribed connection takes no other commands; ioredis subscribes again after a reconnect).
 * The caller owns both connections and disconnects them.
 */
export function redisLiveRelay(publisher: Redis, subscriber: Redis | undefined, deliver: (runId: string, event: LiveRunEvent) => void = () => undefined): LiveRelay {
  // This process's own events were handed to its streams directly, in order with the journal;
  // their echo from Redis is not delivered twice.
  const origin = randomUUID();
  subscriber?.on("message", (channel: string, message: string) => {
    if (!channel.startsWith(CHANNEL_PREFIX)) return;
    const event = parseLiveEvent(message, origin);
    if (event) deliver(channel.slice(CHANNEL_PREFIX.length), event);
  });
  return {
    publish(runId, event) {
      publisher.publish(liveChannel(runId), JSON.stringify({ origin, ...event })).catch(() => undefined);
    },
    follow(runId) {
      subscriber?.subscribe(liveChannel(runId)).catch(() => undefined);
    },
    unfollow(runId) {
      subscriber?.unsubscribe(liveChannel(runId)).catch(() => undefined);
    },
  };
}

/** A message from the channel, if it is another process's live event (anything else on it is ignored). */
function parseLiveEvent(message: string, ownOrigin: string): LiveRunEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { type, data, origin } = value as { type?: unknown; data?: unknown; origin?: unknown };
  if (origin === ownOrigin) return undefined;
  if (type !== "model.delta" || typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  return { type, data: data as Record<string, unknown> };
}
