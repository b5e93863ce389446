import { createServer, request as httpRequest } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the proxy does with one request. */
export type Fault =
  | { readonly kind: "forward" }
  /** Answers itself, never reaching the API. */
  | { readonly kind: "answer"; readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  /** Forwards, lets the API act, then closes the client's connection without an answer. */
  | { readonly kind: "drop-answer" }
  /** Forwards, passes `events` Server-Sent Events with ids through, then closes the connection mid-stream. */
  | { readonly kind: "cut-after-events"; readonly events: number };

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
}

/**
 * An HTTP proxy in front of a live API that injects faults: a test sets `next` to decide per
 * request, and reads `seen` to know what reached it.
 */
export class FaultProxy {
  readonly seen: SeenRequest[] = [];
  next: (request: SeenRequest, index: number) => Fault = () => ({ kind: "forward" });
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #upstream = "";

  private constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  static async start(upstream: string): Promise<FaultProxy> {
    const proxy = new FaultProxy();
    proxy.#upstream = upstream;
    await new Promise<void>((resolve) => proxy.#server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const seen: SeenRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers };
    this.seen.push(seen);
    const fault = this.next(seen, this.seen.length - 1);
    if (fault.kind === "answer") {
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/problem+json", ...fault.headers });
      res.end(fault.body ?? "");
      return;
    }
    const upstream = httpRequest(`${this.#upstream}${seen.path}`, { method: seen.method, headers: req.headers }, (answer) => {
      if (fault.kind === "drop-answer") {
        answer.resume();
        answer.on("end", () => res.socket?.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (fault.kind === "forward") {
        answer.pipe(res);
        return;
      }
      let passed = 0;
      let text = "";
      answer.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
        let end: number;
        while ((end = text.indexOf("\n\n")) >= 0) {
          const frame = text.slice(0, end + 2);
          text = text.slice(end + 2);
          if (/^id: /m.test(frame) && ++passed >= fault.events) {
            answer.destroy();
            // Closed once the frame is written (destroying at once would discard it unsent).
            res.write(frame, () => res.socket?.destroy());
            return;
          }
          res.write(frame);
        }
      });
      answer.on("end", () => res.end(text));
    });
    upstream.on("error", () => res.socket?.destroy());
    req.pipe(upstream);
  }
}
