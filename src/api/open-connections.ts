import type { Server, Socket } from "node:net";

/**
 * The connections a server holds open, so a drain can close kept-alive ones without racing a
 * request already on its way: once draining, every answer says `Connection: close` and its
 * connection ends after it, so waiting lets each busy connection carry one more request and go.
 * Closing an idle kept-alive connection at once would reset a request the client wrote a moment
 * before (it sees ECONNRESET though it was sent before the signal).
 */
export class OpenConnections {
  readonly #sockets = new Set<Socket>();

  constructor(server: Server) {
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  get size(): number {
    return this.#sockets.size;
  }

  /** Resolves when every connection open now has closed, or after `ms` (the rest are then closed by the caller). */
  async settle(ms: number): Promise<void> {
    const open = [...this.#sockets].filter((socket) => !socket.destroyed);
    if (open.length === 0 || ms <= 0) return;
    await new Promise<void>((resolve) => {
      let left = open.length;
      const timer = setTimeout(resolve, ms);
      for (const socket of open) {
        socket.once("close", () => {
          left -= 1;
          if (left > 0) return;
          clearTimeout(timer);
          resolve();
        });
      }
    });
  }
}
