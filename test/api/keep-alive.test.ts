import { connect } from "node:net";
import type { Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.js";
import { makeApi } from "./harness.js";

describe("keep-alive timeout", () => {
  it("is a setting: CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS, 5 s by default, validated", () => {
    expect(loadConfig({}).CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS).toBe(5_000);
    expect(loadConfig({ CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS: "65000" }).CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS).toBe(65_000);
    expect(() => loadConfig({ CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS: "5s" })).toThrow(/CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS: /);
  });

  it("reaches the HTTP server", async () => {
    const defaults = await makeApi();
    const raised = await makeApi({ keepAliveTimeoutMs: 65_000 });
    try {
      expect(defaults.api.app.server.keepAliveTimeout).toBe(5_000);
      expect(raised.api.app.server.keepAliveTimeout).toBe(65_000);
    } finally {
      await defaults.close();
      await raised.close();
    }
  });
});

/** Sends raw HTTP/1.1 requests on one kept-alive connection and collects what comes back. */
function rawConnection(port: number): { socket: Socket; received: () => string; closed: Promise<string> } {
  const socket = connect(port, "127.0.0.1");
  let data = "";
  socket.on("data", (chunk: Buffer) => (data += chunk.toString()));
  const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(data)));
  socket.on("error", () => undefined);
  return { socket, received: () => data, closed };
}

const GET_HEALTH = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

describe("draining a kept-alive connection", () => {
  it("answers a request written just as the drain starts, with Connection: close, then closes the connection", async () => {
    const { api, close } = await makeApi({ auth: { mode: "off" } });
    try {
      const { port } = await api.listen(0, "127.0.0.1");
      const conn = rawConnection(port);
      conn.socket.write(GET_HEALTH);
      await vi.waitFor(() => expect(conn.received()).toMatch(/HTTP\/1\.1 200[\s\S]*\r\n\r\n\{/), { timeout: 5_000 });
      // The connection is idle and kept alive; the client writes its next request as the server begins to close.
      const closing = api.close({ settleMs: 2_000 });
      conn.socket.write(GET_HEALTH);
      const all = await conn.closed;
      await closing;
      const answers = all.split("HTTP/1.1 ").slice(1);
      expect(answers).toHaveLength(2);
      expect(answers[1]).toMatch(/^200 /);
      expect(answers[1]).toMatch(/connection: close/i);
    } finally {
      await close();
    }
  });

  it("closes a connection that stays idle once the settle time is over", async () => {
    const { api, close } = await makeApi({ auth: { mode: "off" } });
    try {
      const { port } = await api.listen(0, "127.0.0.1");
      const conn = rawConnection(port);
      conn.socket.write(GET_HEALTH);
      await vi.waitFor(() => expect(conn.received()).toMatch(/HTTP\/1\.1 200/), { timeout: 5_000 });
      const started = performance.now();
      await api.close({ settleMs: 300 });
      await conn.closed;
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      await close();
    }
  });
});
