import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiServer } from "../../src/api/index.js";
import { createTokenVerifier } from "../../src/auth/index.js";
import { SqliteStore } from "../../src/store/index.js";
import type { ServiceStore } from "../../src/store/index.js";
import { ALL_SCOPES, AUDIENCE, ISSUER, publicKeyPem, signingKeys, testCatalog, token } from "../api/harness.js";

/** Counts every store call but audit appends: if a handler ran, it touched the store. */
function spyStore(inner: ServiceStore): { store: ServiceStore; calls: string[] } {
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property !== "appendAudit") calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

let jwksServer: Server;
let jwksUrl: string;
let jwksHits = 0;
let jkuHits = 0;
const jwksKey = await generateKeyPair("RS256", { extractable: true });
const attacker = await generateKeyPair("RS256", { extractable: true });

beforeAll(async () => {
  const jwk = { ...(await exportJWK(jwksKey.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: "evil", alg: "RS256" };
  jwksServer = createServer((req, res) => {
    if (req.url === "/jwks") jwksHits++;
    if (req.url === "/evil-jwks") jkuHits++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [req.url === "/jwks" ? jwk : attackerJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => jwksServer.close(resolve));
});

async function apiWith(verifierOptions: Parameters<typeof createTokenVerifier>[0]) {
  const inner = SqliteStore.open(":memory:");
  const { store, calls } = spyStore(inner);
  const api = await ApiServer.create({ auth: { mode: "jwt", verifier: createTokenVerifier(verifierOptions) } }, { store, catalog: testCatalog() });
  return { api, calls, inner, close: async () => (await api.close(), await inner.close()) };
}

describe("token attacks (public key)", () => {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: "mallory", tenant: "acme", scope: ALL_SCOPES, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300 };
  const attacks: [string, () => Promise<string | undefined>][] = [
    ["no Authorization header", async () => undefined],
    ["a non-Bearer scheme", async () => `Basic ${Buffer.from("a:b").toString("base64")}`],
    ["alg none", async () => `Bearer ${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`],
    ["HS256 signed with the RSA public key", async () => `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(publicKeyPem))}`],
    ["a wrong iss", async () => `Bearer ${await token({ iss: "https://evil.example/" })}`],
    ["no iss", async () => `Bearer ${await token({ iss: null })}`],
    ["a wrong aud", async () => `Bearer ${await token({ aud: "someone-else" })}`],
    ["no aud", async () => `Bearer ${await token({ aud: null })}`],
    ["an expired token (beyond the clock tolerance)", async () => `Bearer ${await token({ expIn: -120 })}`],
    ["a token not valid yet (nbf)", async () => `Bearer ${await token({ nbfIn: 600 })}`],
    ["no exp", async () => `Bearer ${await token({ expIn: null })}`],
    ["no iat", async () => `Bearer ${await token({ iatIn: null })}`],
    ["no sub", async () => `Bearer ${await token({ sub: null })}`],
    ["no tenant claim", async () => `Bearer ${await token({ tenant: null })}`],
    [
      "a tampered payload",
      async () => {
        const [header, , signature] = (await token()).split(".");
        return `Bearer ${header}.${base64url({ ...claims, tenant: "globex" })}.${signature}`;
      },
    ],
    ["a token signed by another key", async () => `Bearer ${await token({ key: attacker.privateKey })}`],
    ["a jku header pointing elsewhere", async () => `Bearer ${await token({ key: attacker.privateKey, header: { jku: `${jwksUrl}/evil-jwks`, kid: "evil" } })}`],
    ["an embedded jwk header", async () => `Bearer ${await token({ key: attacker.privateKey, header: { jwk: await exportJWK(attacker.publicKey) } })}`],
    ["garbage", async () => "Bearer not.a.jwt"],
  ];

  it.each(attacks)("refuses %s with 401 before any handler runs", async (_name, make) => {
    const t = await apiWith({ issuer: ISSUER, audience: AUDIENCE, publicKeyPem });
    try {
      const authorization = await make();
      const res = await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer error="invalid_token"/);
      expect(res.json()).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });
      expect(t.calls).toEqual([]);
      const audit = await t.inner.listAudit();
      expect(audit.map((e) => e.action)).toEqual(["auth.failed"]);
      expect(JSON.stringify(audit)).not.toContain(authorization?.slice(7, 60) ?? "\u0000");
      expect(jkuHits).toBe(0);
    } finally {
      await t.close();
    }
  });

  it("accepts a valid token (the control)", async () => {
    const t = await apiWith({ issuer: ISSUER, audience: AUDIENCE, publicKeyPem });
    const res = await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: { authorization: `Bearer ${await token()}` } });
    expect(res.statusCode).toBe(200);
    await t.close();
  });

  it("accepts a token expired within the clock tolerance", async () => {
    const t = await apiWith({ issuer: ISSUER, audience: AUDIENCE, publicKeyPem, clockToleranceSeconds: 30 });
    const res = await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: { authorization: `Bearer ${await token({ expIn: -10 })}` } });
    expect(res.statusCode).toBe(200);
    await t.close();
  });
});

describe("token attacks (JWKS)", () => {
  it("verifies with the JWKS key, refuses an unknown kid, and never follows a jku", async () => {
    const t = await apiWith({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: `${jwksUrl}/jwks` });
    try {
      const good = await token({ key: jwksKey.privateKey, kid: "k1" });
      expect((await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: { authorization: `Bearer ${good}` } })).statusCode).toBe(200);
      const unknownKid = await token({ key: attacker.privateKey, kid: "k2" });
      const res = await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: { authorization: `Bearer ${unknownKid}` } });
      expect(res.statusCode).toBe(401);
      const jku = await token({ key: attacker.privateKey, kid: "evil", header: { jku: `${jwksUrl}/evil-jwks` } });
      expect((await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: { authorization: `Bearer ${jku}` } })).statusCode).toBe(401);
      expect(jkuHits).toBe(0);
      expect(jwksHits).toBeGreaterThanOrEqual(1);
      expect(t.calls.filter((c) => c === "listHeaders")).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});

describe("auth settings", () => {
  it("refuses to build a verifier without issuer, audience or key, naming the setting", () => {
    expect(() => createTokenVerifier({ issuer: undefined, audience: AUDIENCE, publicKeyPem })).toThrow(/CS_AGENTS_JWT_ISSUER/);
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: "", publicKeyPem })).toThrow(/CS_AGENTS_JWT_AUDIENCE/);
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE })).toThrow(/CS_AGENTS_JWT_JWKS_URL nor CS_AGENTS_JWT_PUBLIC_KEY_FILE/);
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKeyPem, algorithms: ["HS256"] })).toThrow(/CS_AGENTS_JWT_ALGORITHMS/);
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: "http://keys.example/jwks" })).toThrow(/https/);
  });

  it("refuses a non-loopback address when auth is off", async () => {
    const store = SqliteStore.open(":memory:");
    const api = await ApiServer.create({ auth: { mode: "off" } }, { store, catalog: testCatalog() });
    await expect(api.listen(0, "0.0.0.0")).rejects.toMatchObject({ code: "AUTH_CONFIG" });
    const res = await api.app.inject({ method: "GET", url: "/v1/tasks" });
    expect(res.statusCode).toBe(200);
    await api.close();
    await store.close();
  });

  it("keeps the signing key pair of the tests asymmetric", () => {
    expect(signingKeys.publicKey.type).toBe("public");
  });
});
