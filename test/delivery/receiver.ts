import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhookSignature } from "../../src/delivery/index.js";

export interface Received {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly body: string;
  /** Whether the signature verified with the receiver's secret, as a receiver checks it. */
  readonly verified: boolean;
}

/** What the receiver answers a request with; `hold` never answers (a process killed mid-send). A function gets the id and how many requests with it arrived, this one included. */
export type Answer = number | "hold";

/**
 * A webhook receiver on 127.0.0.1: records every request, verifies its signature the way a
 * receiver's code would, and answers with the next status of `answers` (200 once they run out).
 */
export async function startReceiver(secret: string, answers: Answer[] | ((id: string, seen: number) => Answer) = []): Promise<{ url: string; port: number; received: Received[]; onRequest: Promise<void>; close(): Promise<void> }> {
  const received: Received[] = [];
  let first: () => void = () => undefined;
  const onRequest = new Promise<void>((resolve) => (first = resolve));
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const header = (name: string) => String(req.headers[name] ?? "");
      const timestamp = header("webhook-timestamp");
      const signature = header("webhook-signature");
      const verified = verifyWebhookSignature(secret, { timestamp, signature }, body, Math.floor(Date.now() / 1_000));
      received.push({ id: header("webhook-id"), timestamp, signature, body, verified });
      first();
      const id = header("webhook-id");
      const answer = typeof answers === "function" ? answers(id, received.filter((r) => r.id === id).length) : (answers.shift() ?? 200);
      if (answer === "hold") return;
      res.writeHead(answer, { "content-type": "text/plain" }).end(answer >= 300 ? "receiver is down" : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    onRequest,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
