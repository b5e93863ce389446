import type { FastifyReply, FastifyRequest } from "fastify";
import type { RunEvent } from "../store/index.js";
import type { LiveRunEvent } from "./run-event-hub.js";

/** A comment line is sent after this much silence so proxies keep the connection. */
const KEEP_ALIVE_MS = 15_000;

/**
 * Writes the events as Server-Sent Events (`id` = the event's id, so `Last-Event-ID` resumes
 * with nothing lost or repeated; live events such as `model.delta` carry no id) until they end, the client leaves (aborting `controller`, which
 * ends the events) or the server drains. When the socket's buffer is full it waits for it to
 * drain before taking the next event, so a stuck client holds at most its bounded share of the
 * run's events in the hub (past that it is cut: the stream ends and the client, e.g. an
 * EventSource, reconnects with Last-Event-ID).
 */
export async function writeServerSentEvents(request: FastifyRequest, reply: FastifyReply, events: AsyncIterable<RunEvent | LiveRunEvent>, controller: AbortController, pollMs: number): Promise<void> {
  request.raw.on("close", () => controller.abort());
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" });
  raw.write(`retry: ${Math.max(1_000, pollMs * 4)}\n\n`);
  let lastWrite = Date.now();
  const keepAlive = setInterval(() => {
    if (Date.now() - lastWrite < KEEP_ALIVE_MS) return;
    raw.write(": keep-alive\n\n");
    lastWrite = Date.now();
  }, Math.min(KEEP_ALIVE_MS, 5_000));
  try {
    for await (const event of events) {
      // A live event goes without an id: the client's Last-Event-ID stays at the last journaled event.
      const flushed = raw.write(`${event.id === undefined ? "" : `id: ${event.id}\n`}event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      lastWrite = Date.now();
      if (!flushed && !(await drained(raw, controller.signal))) break;
    }
  } finally {
    clearInterval(keepAlive);
    controller.abort();
    raw.end();
  }
}

/** Resolves true when `raw` can take more, false when the client left or the stream was ended first. */
function drained(raw: NodeJS.WritableStream & { readonly destroyed?: boolean }, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || raw.destroyed === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (ok: boolean) => () => {
      raw.removeListener("drain", onDrain);
      raw.removeListener("close", onClose);
      signal.removeEventListener("abort", onClose);
      resolve(ok);
    };
    const onDrain = finish(true);
    const onClose = finish(false);
    raw.once("drain", onDrain);
    raw.once("close", onClose);
    signal.addEventListener("abort", onClose, { once: true });
  });
}
