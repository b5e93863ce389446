import { generateKeyPair, type CryptoKey } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { ApiServer } from "../../src/api/index.js";
import { AuthError, AuthUnavailableError, createTokenVerifier } from "../../src/auth/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { AUDIENCE, ISSUER, testCatalog, token } from "../api/harness.js";
import { jwkOf, startKeyServer } from "./key-server.js";

const [k1, k2] = await Promise.all([generateKeyPair("RS256", { extractable: true }), generateKeyPair("RS256", { extractable: true })]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe("JWKS rotation", () => {
  it("accepts a new key after rotation, refuses a removed key once the cache is refreshed", async () => {
    const jwks = await startKeyServer();
    close = jwks.close;
    jwks.keys = [await jwkOf(k1.publicKey, "k1")];
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, jwksCooldownMs: 100, jwksCacheMaxAgeMs: 400 });
    const bearer = async (key: CryptoKey, kid: string) => `Bearer ${await token({ key, kid })}`;

    await expect(verifier.verify(await bearer(k1.privateKey, "k1"))).resolves.toMatchObject({ subject: "alice", tenant: "acme" });
    // The provider publishes k2 beside k1 and starts signing with it: an unknown kid refetches.
    jwks.keys = [await jwkOf(k1.publicKey, "k1"), await jwkOf(k2.publicKey, "k2")];
    await sleep(150);
    await expect(verifier.verify(await bearer(k2.privateKey, "k2"))).resolves.toMatchObject({ subject: "alice" });
    const afterRotation = jwks.fetches();
    // Both keys verify from the cache, without asking the key server again.
    await verifier.verify(await bearer(k1.privateKey, "k1"));
    await verifier.verify(await bearer(k2.privateKey, "k2"));
    expect(jwks.fetches()).toBe(afterRotation);

    // k1 is withdrawn: still trusted until the cache's age runs out, refused after.
    jwks.keys = [await jwkOf(k2.publicKey, "k2")];
    await sleep(500);
    await expect(verifier.verify(await bearer(k1.privateKey, "k1"))).rejects.toBeInstanceOf(AuthError);
    await expect(verifier.verify(await bearer(k2.privateKey, "k2"))).resolves.toMatchObject({ subject: "alice" });
  });

  it("answers 503 AUTH_KEYS_UNAVAILABLE with Retry-After when the key server is down and no key is cached; 401 stays for bad tokens", async () => {
    const jwks = await startKeyServer();
    jwks.keys = [await jwkOf(k1.publicKey, "k1")];
    jwks.answer(503);
    const store = SqliteStore.open(":memory:");
    const clock = { ms: Date.now() };
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, jwksCooldownMs: 0, jwksTimeoutMs: 1_000, clock: () => clock.ms });
    const api = await ApiServer.create({ auth: { mode: "jwt", verifier }, logger: false }, { store, catalog: testCatalog() });
    close = async () => {
      await api.close();
      await store.close();
      await jwks.close();
    };
    await expect(verifier.verify(`Bearer ${await token({ key: k1.privateKey, kid: "k1" })}`)).rejects.toBeInstanceOf(AuthUnavailableError);
    const down = await api.app.inject({ method: "GET", url: "/v1/tasks", headers: { authorization: `Bearer ${await token({ key: k1.privateKey, kid: "k1" })}` } });
    expect(down.statusCode).toBe(503);
    expect(down.headers["retry-after"]).toBe("5");
    expect(down.json()).toMatchObject({ code: "AUTH_KEYS_UNAVAILABLE" });
    expect(down.body).not.toMatch(/at .*\.js|127\.0\.0\.1/);
    // A malformed token is the caller's fault whatever the key server does.
    expect((await api.app.inject({ method: "GET", url: "/v1/tasks", headers: { authorization: "Bearer not.a.jwt" } })).statusCode).toBe(401);

    jwks.answer(200);
    // The key server is asked again once the back-off after its failure has passed.
    clock.ms += 60_000;
    const up = await api.app.inject({ method: "GET", url: "/v1/tasks", headers: { authorization: `Bearer ${await token({ key: k1.privateKey, kid: "k1" })}` } });
    expect(up.statusCode).toBe(200);
  });
});
