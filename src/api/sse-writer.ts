import type { FastifyReply, FastifyRequest } from "fastify";
import type { RunEvent } from "../store/index.js";

/** A comment line is sent after this much silence so proxies keep the connection. */
const KEEP_ALIVE_MS = 15_000;

/**
 * Writes the events as Server-Sent Events (`id` = the event's id, so `Last-Event-ID` resumes
 * with nothing lost or repeated) until they end, the client leaves (aborting `controller`, which
 * ends the events) or the server drains.
 */
export async function writeServerSentEvents(request: FastifyRequest, reply: FastifyReply, events: AsyncIterable<RunEvent>, controller: AbortController, pollMs: number): Promise<void> {
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
      raw.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      lastWrite = Date.now();
    }
  } finally {
    clearInterval(keepAlive);
    controller.abort();
    raw.end();
  }
}
