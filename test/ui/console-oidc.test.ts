import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page, Request } from "playwright-core";
import { createTokenVerifier } from "../../src/auth/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { makeApi, testRunId } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { launchBrowser } from "./browser.js";
import { API_AUDIENCE, CONSOLE_CLIENT_ID, listenOidcProvider } from "./oidc-provider.js";
import type { LocalOidcProvider } from "./oidc-provider.js";

// The console signing in at a real OpenID provider (oidc-provider on loopback) with the
// authorization code flow and PKCE, in Debian's Chromium; the API verifies the provider's
// access tokens against its JWKS, issuer and audience, as `serve` does with CS_AGENTS_JWT_*.
const SHOTS = "out/ui-screenshots";
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TOKEN_KEY = "cs-agents.token";

/** Web Storage inside page.evaluate (this file is typed for Node, not the DOM). */
interface WebStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

let provider: LocalOidcProvider;
let t: TestApi;
let base: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  provider = await listenOidcProvider({ alice: "acme", bob: "globex" });
  const verifier = createTokenVerifier({ issuer: provider.issuer, audience: API_AUDIENCE, jwksUrl: provider.jwksUrl });
  const store = SqliteStore.open(":memory:");
  for (const [n, tenant] of [[1, "acme"], [2, "globex"]] as const) {
    await store.submitAudited({ description: `${tenant} quarterly report`, tenant }, { runId: testRunId(n), requestHash: `h${n}`, submittedBy: "seed" }, { action: "task.submitted", actor: "seed", tenant });
  }
  t = await makeApi({ auth: { mode: "jwt", verifier }, console: { oidc: { issuer: provider.issuer, clientId: CONSOLE_CLIENT_ID, scopes: "openid tasks:read tasks:write" } } }, store);
  const address = await t.api.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
  provider.start(`${base}/ui/`);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await provider?.close();
});

async function expectAccessible(page: Page): Promise<void> {
  // Evaluated over the DevTools protocol: the page's CSP rightly refuses an injected script tag.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe.run();
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact})`);
  });
  expect(violations).toEqual([]);
}

/** A fresh browser context on the console's first page, with every request it makes noted. */
async function openConsole(): Promise<{ page: Page; requests: Request[] }> {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const requests: Request[] = [];
  page.on("request", (request) => requests.push(request));
  await page.goto(`${base}/ui/`);
  return { page, requests };
}

/** Signs in at the provider's own form (any password) and consents: the page comes back on the console. */
async function signInAt(page: Page, login: string): Promise<void> {
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL((url) => url.href.startsWith(`${base}/ui/`) && url.search === "");
}

describe("the console's OIDC sign-in", () => {
  it("gives the page the issuer and client id, no secret, and lets its CSP reach the issuer only", async () => {
    const res = await fetch(`${base}/ui/config.json`);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.json()).toEqual({ oidc: { issuer: provider.issuer, clientId: CONSOLE_CLIENT_ID, scopes: "openid tasks:read tasks:write" } });
    const page = await fetch(`${base}/ui/`);
    expect(page.headers.get("content-security-policy")).toContain(`connect-src 'self' ${provider.issuer}`);
    // The API's own answers keep the API's CSP.
    expect((await fetch(`${base}/healthz`)).headers.get("content-security-policy")).not.toContain(provider.issuer);
  });

  it("signs in with the authorization code and PKCE, keeps the token for the tab only, and shows the tenant's runs", async () => {
    const { page, requests } = await openConsole();
    const button = page.getByRole("button", { name: `Sign in with ${new URL(provider.issuer).host}` });
    await button.waitFor();
    await page.screenshot({ path: `${SHOTS}/sign-in-oidc.png`, fullPage: true });
    await expectAccessible(page);
    await button.click();
    await signInAt(page, "alice");
    await page.getByRole("link", { name: "acme quarterly report" }).waitFor();
    expect(await page.getByRole("link", { name: "globex quarterly report" }).count()).toBe(0);

    const authorize = new URL(requests.find((r) => r.url().startsWith(`${provider.issuer}/auth`))?.url() ?? "http://missing/");
    expect(authorize.searchParams.get("response_type")).toBe("code");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(authorize.searchParams.get("nonce")).toMatch(/^[\w-]{20,}$/);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${base}/ui/`);
    // The browser exchanged the code itself, with the verifier and no client secret.
    const exchange = requests.find((r) => r.url() === provider.tokenEndpoint && r.method() === "POST");
    const form = new URLSearchParams(exchange?.postData() ?? "");
    expect(form.get("grant_type")).toBe("authorization_code");
    expect(form.get("code_verifier")).toMatch(/^[\w-]{43,128}$/);
    expect(form.get("client_secret")).toBeNull();

    const stored = await page.evaluate((key) => {
      const { sessionStorage, localStorage } = globalThis as unknown as { sessionStorage: WebStorage; localStorage: WebStorage };
      return { session: sessionStorage.getItem(key), local: JSON.stringify(localStorage) };
    }, TOKEN_KEY);
    expect(stored.session?.split(".")).toHaveLength(3);
    expect(stored.local).not.toContain(stored.session ?? "none");
    // What the API was sent is the provider's token, for the tenant in its claim.
    const payload = JSON.parse(Buffer.from(stored.session?.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ iss: provider.issuer, aud: API_AUDIENCE, tenant: "acme", sub: "alice" });
    await page.screenshot({ path: `${SHOTS}/signed-in-oidc.png`, fullPage: true });
    await expectAccessible(page);
    await page.context().close();
  }, 90_000);

  it("refuses a return whose state is not the one it sent, and exchanges nothing", async () => {
    const { page, requests } = await openConsole();
    await page.getByRole("button", { name: /^Sign in with / }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.goto(`${base}/ui/?code=forged-code&state=forged-state&iss=${encodeURIComponent(provider.issuer)}`);
    const alert = page.getByRole("alert").filter({ hasText: "Sign-in failed" });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/state/);
    expect(requests.filter((r) => r.url() === provider.tokenEndpoint)).toEqual([]);
    expect(await page.evaluate((key) => (globalThis as unknown as { sessionStorage: WebStorage }).sessionStorage.getItem(key), TOKEN_KEY)).toBeNull();
    await page.screenshot({ path: `${SHOTS}/sign-in-refused.png`, fullPage: true });
    await expectAccessible(page);
    // The same return again finds no sign-in to finish (the pending one was used up).
    await page.reload();
    await page.getByRole("alert").filter({ hasText: "no sign-in was started in this tab" }).waitFor();
    // And signing in from there works.
    await page.getByRole("button", { name: /^Sign in with / }).click();
    await signInAt(page, "bob");
    await page.getByRole("link", { name: "globex quarterly report" }).waitFor();
    await page.context().close();
  }, 90_000);

  it("asks to sign in again when the API refuses the token (expired), and comes back to the same view", async () => {
    const { page } = await openConsole();
    await page.getByRole("button", { name: /^Sign in with / }).click();
    await signInAt(page, "alice");
    await page.getByRole("link", { name: "acme quarterly report" }).waitFor();
    // The provider's own key, its issuer and audience, but an hour past its expiry.
    const now = Math.floor(Date.now() / 1000);
    const expired = await provider.sign({ iss: provider.issuer, aud: API_AUDIENCE, sub: "alice", tenant: "acme", scope: "tasks:read", iat: now - 7_200, exp: now - 3_600 });
    await page.evaluate(([key, value]) => (globalThis as unknown as { sessionStorage: WebStorage }).sessionStorage.setItem(key ?? "", value ?? ""), [TOKEN_KEY, expired]);
    await page.goto(`${base}/ui/#/?status=queued`);
    await page.getByRole("alert").filter({ hasText: "Your sign-in has ended" }).waitFor();
    await page.getByRole("button", { name: "Sign in again" }).click();
    // The provider still knows the browser: no form this time, straight back to the view.
    await page.waitForURL((url) => url.href === `${base}/ui/#/?status=queued`);
    await page.getByRole("link", { name: "acme quarterly report" }).waitFor();
    expect(await page.evaluate((key) => (globalThis as unknown as { sessionStorage: WebStorage }).sessionStorage.getItem(key), TOKEN_KEY)).not.toBe(expired);
    await page.context().close();
  }, 90_000);
});
