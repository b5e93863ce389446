import { generateKeyPair } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { ApiServer } from "../../src/api/index.js";
import { AuthError, createTokenVerifier } from "../../src/auth/index.js";
import type { TokenVerifierOptions } from "../../src/auth/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { AUDIENCE, ISSUER, publicKeyPem, testCatalog, token } from "../api/harness.js";
import { jwkOf, startKeyServer } from "./key-server.js";
import type { KeyServer } from "./key-server.js";

const [k1, k2] = await Promise.all([generateKeyPair("RS256", { extractable: true }), generateKeyPair("RS256", { extractable: true })]);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function keyServer(): Promise<KeyServer> {
  const jwks = await startKeyServer([await jwkOf(k1.publicKey, "k1")]);
  closers.push(jwks.close);
  return jwks;
}

/** A verifier on the key server whose clock the test moves; keys are fetched again after 1 s of it. */
function jwksVerifier(jwks: KeyServer, clock: { ms: number }, extra: Partial<TokenVerifierOptions> = {}) {
  return createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, jwksCooldownMs: 0, jwksCacheMaxAgeMs: 1_000, clock: () => clock.ms, ...extra });
}

describe("the verified-token cache", () => {
  it("answers a token it verified from memory: the same principal, no key fetch", async () => {
    const jwks = await keyServer();
    const clock = { ms: Date.now() };
    const verifier = jwksVerifier(jwks, clock);
    const jwt = `Bearer ${await token({ key: k1.privateKey, kid: "k1" })}`;
    const first = await verifier.verify(jwt);
    const fetches = jwks.fetches();
    clock.ms += 500;
    expect(await verifier.verify(jwt)).toBe(first);
    expect(jwks.fetches()).toBe(fetches);
  });

  it("refuses a remembered token once its key left the key set (rotation), even before the entry's life ends", async () => {
    const jwks = await keyServer();
    const clock = { ms: Date.now() };
    const verifier = jwksVerifier(jwks, clock);
    const jwt = `Bearer ${await token({ key: k1.privateKey, kid: "k1" })}`;
    await expect(verifier.verify(jwt)).resolves.toMatchObject({ tenant: "acme" });
    await expect(verifier.verify(jwt)).resolves.toMatchObject({ tenant: "acme" });
    // The provider withdraws k1; once the key set is old enough to be fetched again, k1 is gone.
    jwks.keys = [await jwkOf(k2.publicKey, "k2")];
    clock.ms += 1_001;
    await expect(verifier.verify(jwt)).rejects.toThrow(AuthError);
    await expect(verifier.verify(jwt)).rejects.toThrow(/no key matches/);
  });

  it("verifies a remembered token again when the key set changed but still holds its key", async () => {
    const jwks = await keyServer();
    const clock = { ms: Date.now() };
    const verifier = jwksVerifier(jwks, clock);
    const jwt = `Bearer ${await token({ key: k1.privateKey, kid: "k1" })}`;
    const first = await verifier.verify(jwt);
    jwks.keys = [await jwkOf(k1.publicKey, "k1"), await jwkOf(k2.publicKey, "k2")];
    clock.ms += 1_001;
    const again = await verifier.verify(jwt);
    expect(again).not.toBe(first);
    expect(again).toMatchObject({ subject: "alice", tenant: "acme" });
    expect(await verifier.verify(jwt)).toBe(again);
  });

  it("refuses a remembered token that expired between two uses", async () => {
    const clock = { ms: Date.now() };
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKeyPem, clockToleranceSeconds: 2, verifiedCacheTtlMs: 600_000, clock: () => clock.ms });
    const jwt = `Bearer ${await token({ expIn: 20 })}`;
    await expect(verifier.verify(jwt)).resolves.toMatchObject({ tenant: "acme" });
    clock.ms += 23_000;
    await expect(verifier.verify(jwt)).rejects.toThrow(/expired/);
  });

  it("checks the time claims again on every use: a clock stepped back makes nbf lie in the future", async () => {
    const clock = { ms: Date.now() };
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKeyPem, clockToleranceSeconds: 5, clock: () => clock.ms });
    const jwt = `Bearer ${await token({ nbfIn: 0, iatIn: 0 })}`;
    const first = await verifier.verify(jwt);
    expect(await verifier.verify(jwt)).toBe(first);
    clock.ms -= 30_000;
    await expect(verifier.verify(jwt)).rejects.toThrow(AuthError);
  });

  it("never lets a token that differs from a remembered one by its signature through", async () => {
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKeyPem });
    const jwt = await token();
    await verifier.verify(`Bearer ${jwt}`);
    const [head, body, signature = ""] = jwt.split(".");
    const forged = `${head}.${body}.${signature.slice(0, -4)}${signature.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    await expect(verifier.verify(`Bearer ${forged}`)).rejects.toThrow(/signature/);
    // A token with other claims, signed by another key, is not the remembered one either.
    await expect(verifier.verify(`Bearer ${await token({ key: k2.privateKey, tenant: "acme" })}`)).rejects.toThrow(AuthError);
  });

  it("with a size of 0 verifies every time", async () => {
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKeyPem, verifiedCacheSize: 0 });
    const jwt = `Bearer ${await token()}`;
    const first = await verifier.verify(jwt);
    const second = await verifier.verify(jwt);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
  });

  it("over a live server: a remembered token answers 200, then 401 after its key is withdrawn, and 401 once expired", async () => {
    const jwks = await keyServer();
    const clock = { ms: Date.now() };
    const verifier = jwksVerifier(jwks, clock, { clockToleranceSeconds: 2 });
    const store = SqliteStore.open(":memory:");
    const api = await ApiServer.create({ auth: { mode: "jwt", verifier } }, { store, catalog: testCatalog() });
    closers.push(async () => {
      await api.close();
      await store.close();
    });
    const { port } = await api.listen(0, "127.0.0.1");
    const get = (jwt: string) => fetch(`http://127.0.0.1:${port}/v1/tasks`, { headers: { authorization: `Bearer ${jwt}` } });

    const rotated = await token({ key: k1.privateKey, kid: "k1" });
    expect((await get(rotated)).status).toBe(200);
    expect((await get(rotated)).status).toBe(200);
    jwks.keys = [await jwkOf(k2.publicKey, "k2")];
    clock.ms += 1_001;
    const refused = await get(rotated);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "UNAUTHENTICATED" });

    const shortLived = await token({ key: k2.privateKey, kid: "k2", expIn: 10 });
    expect((await get(shortLived)).status).toBe(200);
    clock.ms += 13_000;
    const expired = await get(shortLived);
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toMatch(/expired/);
  });
});
