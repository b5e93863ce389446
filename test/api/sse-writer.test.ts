import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { writeServerSentEvents } from "../../src/api/sse-writer.js";
import type { RunEvent } from "../../src/store/index.js";

/** A socket that accepts one small chunk, then holds every further write until `flush`. */
class StuckSocket extends Writable {
  readonly written: string[] = [];
  readonly #held: (() => void)[] = [];

  constructor() {
    super({ highWaterMark: 16 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.written.push(chunk.toString());
    this.#held.push(() => callback());
  }

  flush(): void {
    for (const release of this.#held.splice(0)) release();
  }

  writeHead(): this {
    return this;
  }
}

describe("SSE writer backpressure", () => {
  it("takes no next event while the client's socket is full, and resumes on drain", async () => {
    const socket = new StuckSocket();
    const request = { raw: new EventEmitter() } as unknown as FastifyRequest;
    const reply = { hijack: () => undefined, getHeaders: () => ({}), raw: socket } as unknown as FastifyReply;
    let pulled = 0;
    async function* events(): AsyncGenerator<RunEvent> {
      for (let id = 1; id <= 5; id++) {
        pulled = id;
        yield { id, type: "tool.finished", data: { n: id } };
      }
    }
    const controller = new AbortController();
    const done = writeServerSentEvents(request, reply, events(), controller, 250);
    // Let every ready microtask and I/O callback run: a writer that ignores backpressure pulls all 5.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulled).toBe(1);

    for (let i = 0; i < 10 && pulled < 5; i++) {
      socket.flush();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(pulled).toBe(5);
    socket.flush();
    await done;
    expect(socket.written.join("")).toContain("id: 5\nevent: tool.finished\n");
  });

  it("stops waiting and ends when the client leaves while its socket is full", async () => {
    const socket = new StuckSocket();
    const raw = new EventEmitter();
    const request = { raw } as unknown as FastifyRequest;
    const reply = { hijack: () => undefined, getHeaders: () => ({}), raw: socket } as unknown as FastifyReply;
    let pulled = 0;
    async function* events(): AsyncGenerator<RunEvent> {
      for (let id = 1; id <= 5; id++) {
        pulled = id;
        yield { id, type: "tool.finished", data: {} };
      }
    }
    const controller = new AbortController();
    const done = writeServerSentEvents(request, reply, events(), controller, 250);
    await new Promise((resolve) => setImmediate(resolve));
    raw.emit("close");
    await done;
    expect(controller.signal.aborted).toBe(true);
    expect(pulled).toBe(1);
  });
});
