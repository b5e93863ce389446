import { connect, createServer } from "node:net";
import type { Server, Socket } from "node:net";

/** A TCP proxy that counts the bytes each way: what a protocol really puts on the wire. */
export interface ByteCounter {
  readonly port: number;
  /** Bytes client → server and server → client since the start or the last reset. */
  counts(): { up: number; down: number };
  reset(): void;
  close(): Promise<void>;
}

export async function startByteCounter(target: { host: string; port: number }): Promise<ByteCounter> {
  let up = 0;
  let down = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      up += chunk.length;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      down += chunk.length;
      client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", drop).on("error", drop);
    upstream.on("close", drop).on("error", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    counts: () => ({ up, down }),
    reset() {
      up = 0;
      down = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
