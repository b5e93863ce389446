import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP proxy in front of the API that can cut every open connection at once, the way a
 * dropped network or a restarted load balancer does, and remembers the request headers the
 * browser sent (to see that it resumed an event stream with Last-Event-ID).
 */
export interface CuttingProxy {
  readonly port: number;
  /** Destroys every open connection, both sides. */
  cutAll(): void;
  /** The Last-Event-ID values browsers sent so far, in order. */
  readonly lastEventIds: readonly number[];
  close(): Promise<void>;
}

export async function startCuttingProxy(target: { readonly host: string; readonly port: number }): Promise<CuttingProxy> {
  const open = new Set<Socket>();
  const lastEventIds: number[] = [];
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    open.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      for (const match of chunk.toString("latin1").matchAll(/^last-event-id:\s*(\d+)\r$/gim)) lastEventIds.push(Number(match[1]));
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no TCP address");
  return {
    port: address.port,
    lastEventIds,
    cutAll: () => {
      for (const socket of open) socket.destroy();
      open.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
