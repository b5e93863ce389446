import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of a server (PostgreSQL here) that can cut its clients off the way a
 * network partition does: bytes in both directions are held, not dropped, and delivered in
 * order when the partition heals, so a client sees its replies arrive late rather than never.
 */
export interface TcpProxy {
  /** Clients connect here. */
  readonly port: number;
  /**
   * Partitions right after a client sends bytes containing `marker`: those bytes still reach
   * the server (the query is made), but its reply and everything after, on every connection
   * old or new, is held. Resolves when the marker was seen.
   */
  partitionAfter(marker: string): Promise<void>;
  /** Delivers everything held, in order, and lets bytes through again. */
  heal(): void;
  /** Bytes held so far, server to client. */
  readonly heldBytes: number;
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  readonly server: Socket;
  readonly toServer: Buffer[];
  readonly toClient: Buffer[];
  /** Held client bytes; false on the connection that sent the marker until its reply starts. */
  holdToServer: boolean;
  /** The end of the last client bytes, to find a marker split across two chunks. */
  tail: string;
}

export async function startTcpProxy(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let partitioned = false;
  let heldBytes = 0;
  let armed: { marker: string; resolve: () => void } | undefined;

  const onClientData = (link: Link, chunk: Buffer): void => {
    if (armed) {
      const text = link.tail + chunk.toString("latin1");
      link.tail = text.slice(-armed.marker.length);
      if (text.includes(armed.marker)) {
        const { resolve } = armed;
        armed = undefined;
        partitioned = true;
        // The marked query reaches the server; every other connection is cut at once.
        for (const other of links) other.holdToServer = other !== link;
        link.server.write(chunk);
        resolve();
        return;
      }
    }
    if (partitioned && link.holdToServer) link.toServer.push(chunk);
    else link.server.write(chunk);
  };

  const onServerData = (link: Link, chunk: Buffer): void => {
    if (!partitioned) {
      link.client.write(chunk);
      return;
    }
    // The reply to the marked query is the first thing held on its connection: cut it both ways.
    link.holdToServer = true;
    link.toClient.push(chunk);
    heldBytes += chunk.length;
  };

  const server: Server = createServer((client) => {
    client.pause();
    const upstream = connect(target.port, target.host, () => client.resume());
    const link: Link = { client, server: upstream, toServer: [], toClient: [], holdToServer: partitioned, tail: "" };
    links.add(link);
    client.on("data", (chunk: Buffer) => onClientData(link, chunk));
    upstream.on("data", (chunk: Buffer) => onServerData(link, chunk));
    const drop = (): void => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("the proxy has no port");

  return {
    port: address.port,
    get heldBytes() {
      return heldBytes;
    },
    partitionAfter(marker) {
      return new Promise((resolve) => (armed = { marker, resolve }));
    },
    heal() {
      partitioned = false;
      for (const link of links) {
        for (const chunk of link.toServer.splice(0)) link.server.write(chunk);
        for (const chunk of link.toClient.splice(0)) link.client.write(chunk);
        link.holdToServer = false;
      }
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
