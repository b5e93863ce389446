import { generateKeyPair } from "jose";
import type { CryptoKey } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { ApiServer } from "../../src/api/index.js";
import { createTokenVerifier } from "../../src/auth/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { AUDIENCE, ISSUER, testCatalog, token } from "../api/harness.js";
import type { TokenOptions } from "../api/harness.js";
import { jwkOf, startKeyServer } from "./key-server.js";
import type { KeyServer } from "./key-server.js";

const [k1, k2] = await Promise.all([generateKeyPair("RS256", { extractable: true }), generateKeyPair("RS256", { extractable: true })]);

const BACKOFF_INITIAL_MS = 100;
const BACKOFF_MAX_MS = 60_000;

/**
 * The most fetches the back-off policy allows within `elapsedMs` of a failing key server: the
 * first, then one after each delay, where the n-th delay is at least half of
 * min(initial × 2^(n-1), max) (equal jitter).
 */
function maxFetchesWithin(elapsedMs: number): number {
  let fetches = 1;
  let at = 0;
  for (let delay = BACKOFF_INITIAL_MS; ; delay *= 2) {
    at += Math.min(delay, BACKOFF_MAX_MS) / 2;
    if (at > elapsedMs) return fetches;
    fetches++;
  }
}

interface Live {
  readonly jwks: KeyServer;
  readonly clock: { ms: number };
  get(options: TokenOptions & { key: CryptoKey; kid: string }): Promise<{ status: number; body: { code: string; detail: string } }>;
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** A listening API verifying tokens from a local key server, on a clock the test moves. */
async function live(): Promise<Live> {
  const jwks = await startKeyServer();
  const clock = { ms: Date.now() };
  const verifier = createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUrl: jwks.url,
    jwksCooldownMs: 30_000,
    jwksCacheMaxAgeMs: 60_000,
    jwksBackoffInitialMs: BACKOFF_INITIAL_MS,
    jwksBackoffMaxMs: BACKOFF_MAX_MS,
    clock: () => clock.ms,
  });
  const store = SqliteStore.open(":memory:");
  const api = await ApiServer.create({ auth: { mode: "jwt", verifier } }, { store, catalog: testCatalog() });
  const { port } = await api.listen(0, "127.0.0.1");
  cleanup = async () => {
    await api.close();
    await store.close();
    await jwks.close();
  };
  return {
    jwks,
    clock,
    async get(options) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/tasks`, { headers: { authorization: `Bearer ${await token(options)}` } });
      return { status: res.status, body: (await res.json()) as { code: string; detail: string } };
    },
  };
}

describe("a key server answering 500", () => {
  it("is asked a handful of times for 100 sequential requests, not 100: jittered exponential back-off", async () => {
    const t = await live();
    t.jwks.answer(500);
    const statuses = new Set<number>();
    const started = t.clock.ms;
    for (let i = 0; i < 100; i++) {
      const res = await t.get({ key: k1.privateKey, kid: "k1" });
      statuses.add(res.status);
      expect(res.body.code).toBe("AUTH_KEYS_UNAVAILABLE");
      t.clock.ms += 10;
    }
    expect([...statuses]).toEqual([503]);
    const elapsed = t.clock.ms - 10 - started;
    expect(t.jwks.fetches()).toBeLessThanOrEqual(maxFetchesWithin(elapsed));
    expect(maxFetchesWithin(elapsed)).toBeLessThanOrEqual(5);
    // It does try again once a back-off has passed.
    expect(t.jwks.fetches()).toBeGreaterThanOrEqual(2);
  });

  it("keeps serving the keys it knows, past their cache age, while unknown kids back off", async () => {
    const t = await live();
    t.jwks.keys = [await jwkOf(k1.publicKey, "k1")];
    expect((await t.get({ key: k1.privateKey, kid: "k1" })).status).toBe(200);
    expect(t.jwks.fetches()).toBe(1);
    t.jwks.answer(500);
    // Past the cache's age and the unknown-kid cooldown: a refresh is due, and fails.
    t.clock.ms += 61_000;
    const started = t.clock.ms;
    for (let i = 0; i < 50; i++) {
      expect((await t.get({ key: k1.privateKey, kid: "k1" })).status).toBe(200);
      const unknown = await t.get({ key: k2.privateKey, kid: "k2" });
      expect(unknown.status).toBe(503);
      expect(unknown.body.code).toBe("AUTH_KEYS_UNAVAILABLE");
      t.clock.ms += 20;
    }
    expect(t.jwks.fetches() - 1).toBeLessThanOrEqual(maxFetchesWithin(t.clock.ms - 20 - started));

    // The provider recovers with a rotated key set: after the back-off, the new key verifies.
    t.jwks.answer(200);
    t.jwks.keys = [await jwkOf(k1.publicKey, "k1"), await jwkOf(k2.publicKey, "k2")];
    t.clock.ms += BACKOFF_MAX_MS;
    expect((await t.get({ key: k2.privateKey, kid: "k2" })).status).toBe(200);
  });
});

describe("while the key server is down", () => {
  it("answers an expired token 401 without asking the key server", async () => {
    const t = await live();
    t.jwks.answer(500);
    const res = await t.get({ key: k1.privateKey, kid: "k1", expIn: -120 });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: "UNAUTHENTICATED", detail: expect.stringContaining("expired") });
    const wrongIssuer = await t.get({ key: k1.privateKey, kid: "k1", iss: "https://evil.example/" });
    expect(wrongIssuer.status).toBe(401);
    expect(t.jwks.fetches()).toBe(0);
  });

  it("names the key server, not the store, in the 503", async () => {
    const t = await live();
    t.jwks.answer(500);
    const res = await t.get({ key: k1.privateKey, kid: "k1" });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("AUTH_KEYS_UNAVAILABLE");
    expect(res.body.detail).toMatch(/key server/);
    expect(res.body.detail).not.toMatch(/store/);
  });
});
