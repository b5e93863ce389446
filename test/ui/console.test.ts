import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { CONSOLE_DIR } from "../../src/api/ui-static.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { makeApi, seedApproval, seedSucceeded, testRunId, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";

// Drives Debian's Chromium against a real `serve`-like API on loopback. Under CI a missing
// browser is a failure, never a skip.
const CHROMIUM = "/usr/bin/chromium";
const SHOTS = "out/ui-screenshots";
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let t: TestApi;
let base: string;
let browser: Browser;
let worker: Worker;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk)`);
  if (!existsSync(`${CONSOLE_DIR}index.html`)) execFileSync("npm", ["run", "build:ui"], { stdio: "inherit" });
  mkdirSync(SHOTS, { recursive: true });
  t = await makeApi({ eventsPollMs: 50 });
  const address = await t.api.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
  worker = new Worker({ store: t.store, engine: createRuntime().engine, concurrency: 2, pollMs: 50 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop(5_000);
  await t?.close();
});

/** A page signed in with a token of `tenant` (through the page's own sign-in prompt). */
async function signedIn(tenant = "acme", locale = "en-US", path = ""): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/ui/#/${path}`);
  await page.getByLabel(/Access token|访问令牌/).fill(await token({ tenant }));
  await page.getByRole("button", { name: /Sign in|登录/ }).click();
  return page;
}

async function expectAccessible(page: Page): Promise<void> {
  // Evaluated over the DevTools protocol: the page's CSP rightly refuses an injected script tag.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe.run();
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact})`);
  });
  expect(violations).toEqual([]);
}

describe("the web console", () => {
  it("is served under /ui/ with a strict CSP and no inline script", async () => {
    const res = await fetch(`${base}/ui/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await fetch(`${base}/ui`, { redirect: "manual" })).headers.get("location")).toBe("/ui/");
  });

  it("asks for a token, submits the seed's task from the form and shows the DAG finish live", async () => {
    const page = await signedIn();
    await expect.poll(() => page.getByRole("heading", { name: "Runs", level: 1 }).count()).toBe(1);
    await page.getByRole("textbox", { name: "Task" }).fill("生成季度财务报告");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.waitForURL(/#\/runs\//);
    worker.start();
    await page.getByTestId("run-status").filter({ hasText: "succeeded" }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator(".react-flow__node.succeeded").count(), { timeout: 10_000 }).toBe(3);
    const events = await page.getByTestId("events").locator("li").evaluateAll((items) => items.map((li) => li.getAttribute("data-event-id")));
    expect(events.length).toBeGreaterThan(3);
    expect(new Set(events).size).toBe(events.length);
    expect(await page.getByTestId("events").textContent()).toContain("subtask.started");
    await page.screenshot({ path: `${SHOTS}/run.png`, fullPage: true });
    await expectAccessible(page);
    await page.goto(`${base}/ui/#/`);
    await page.getByRole("link", { name: "生成季度财务报告" }).first().waitFor();
    await page.screenshot({ path: `${SHOTS}/runs.png`, fullPage: true });
    await expectAccessible(page);
    await page.context().close();
  });

  it("approves a sensitive call from the inbox and denies another", async () => {
    await seedApproval(t.store, { runId: testRunId(1), tenant: "acme", submittedBy: "bob", tool: "payments.send" });
    await seedApproval(t.store, { runId: testRunId(2), tenant: "acme", submittedBy: "bob", tool: "refund.issue" });
    const page = await signedIn("acme", "en-US", "approvals");
    const pay = page.getByRole("article", { name: "Tool payments.send" });
    await pay.waitFor();
    await page.screenshot({ path: `${SHOTS}/approvals.png`, fullPage: true });
    await expectAccessible(page);
    // Keyboard only: focus the approve button and press Enter.
    await pay.getByRole("button", { name: "Approve" }).focus();
    await page.keyboard.press("Enter");
    await pay.waitFor({ state: "detached" });
    const refund = page.getByRole("article", { name: "Tool refund.issue" });
    await refund.getByLabel("Reason").fill("not this customer");
    await refund.getByRole("button", { name: "Deny" }).click();
    await refund.waitFor({ state: "detached" });
    await page.getByText("Nothing waits for approval.").waitFor();
    const runs = await Promise.all([t.store.get(testRunId(1)), t.store.get(testRunId(2))]);
    expect(runs.map((r) => r?.status)).not.toContain("waiting_approval");
    await page.context().close();
  });

  it("says not found when a tenant opens another tenant's run", async () => {
    await seedSucceeded(t.store, testRunId(3), "globex");
    const page = await signedIn("acme", "en-US", `runs/${testRunId(3)}`);
    await page.getByRole("heading", { name: `Run ${testRunId(3)} was not found.` }).waitFor();
    await page.context().close();
  });

  it("asks to sign in again when the token has expired", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    await page.goto(`${base}/ui/#/`);
    await page.getByLabel("Access token").fill(await token({ expIn: -60 }));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "access token" }).waitFor();
    expect(await page.getByLabel("Access token").count()).toBe(1);
    await context.close();
  });

  it("follows the browser's language and switches between 中文 and English", async () => {
    const context = await browser.newContext({ locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto(`${base}/ui/#/`);
    await page.getByLabel("访问令牌").fill(await token());
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("heading", { name: "运行", level: 1 }).waitFor();
    await page.screenshot({ path: `${SHOTS}/runs-zh.png`, fullPage: true });
    await page.getByLabel("语言").selectOption("en");
    await page.getByRole("heading", { name: "Runs", level: 1 }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await context.close();
  });
});
