import { createParser } from "eventsource-parser";

/** One parsed Server-Sent Events frame, or the server's reconnection-time hint. */
export type SseFrame = { readonly kind: "event"; readonly id: string | undefined; readonly event: string | undefined; readonly data: string } | { readonly kind: "retry"; readonly ms: number };

/**
 * The frames of an event-stream body, in order, until the body ends. Throws when the
 * connection breaks mid-stream. Leaving early (break, return) cancels the body.
 */
export async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const pending: SseFrame[] = [];
  const parser = createParser({
    onEvent: (message) => pending.push({ kind: "event", id: message.id, event: message.event, data: message.data }),
    onRetry: (ms) => pending.push({ kind: "retry", ms }),
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let done = false;
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) {
        done = true;
        // A frame is only dispatched at its blank line: a half frame at the end is dropped, as EventSource does.
        parser.feed(decoder.decode());
      } else parser.feed(decoder.decode(chunk.value, { stream: true }));
      while (pending.length > 0) yield pending.shift() as SseFrame;
      if (done) return;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
}
