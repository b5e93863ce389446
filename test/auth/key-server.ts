import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK } from "jose";
import type { CryptoKey, JWK } from "jose";

/** A local JWKS endpoint whose key set and health the test changes, as an identity provider would. */
export interface KeyServer {
  readonly url: string;
  keys: JWK[];
  /** How many times the key set was asked for. */
  fetches(): number;
  /** Answers every fetch with this status (and no key set) until set back to 200. */
  answer(status: number): void;
  close(): Promise<void>;
}

export async function jwkOf(key: CryptoKey, kid: string): Promise<JWK> {
  return { ...(await exportJWK(key)), kid, alg: "RS256", use: "sig" };
}

export async function startKeyServer(keys: JWK[] = []): Promise<KeyServer> {
  const state = { keys, fetches: 0, status: 200 };
  const server: Server = createServer((_req, res) => {
    state.fetches++;
    if (state.status !== 200) {
      res.writeHead(state.status, { "content-type": "text/plain" }).end("key server failing");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    get keys() {
      return state.keys;
    },
    set keys(next: JWK[]) {
      state.keys = next;
    },
    fetches: () => state.fetches,
    answer: (status) => (state.status = status),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
