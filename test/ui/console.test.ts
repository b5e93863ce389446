import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { CONSOLE_DIR } from "../../src/api/ui-static.js";
import { Worker } from "../../src/engine/index.js";
import { engineMetricsListener, MetricsRegistry, watchProcess } from "../../src/observability/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { makeApi, SEAT_QUESTION, seedApproval, seedSteps, seedSucceeded, seedWaitingInput, testRunId, token } from "../api/harness.js";
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
  // Wired as `serve` wires it: /metrics shows the queue, the workers' runs and the tool cache.
  const store = SqliteStore.open(":memory:");
  const runtime = createRuntime();
  const metrics = new MetricsRegistry();
  watchProcess(metrics, {
    store,
    cache: { stats: () => runtime.executor.cacheStats(), levels: 1 },
    breakers: { tools: () => runtime.tools.list().map((tool) => tool.name), state: (tool) => runtime.executor.breakerState(tool) },
  });
  const runBudget = { maxTokens: 10_000, maxToolCalls: 20, maxMs: 60_000, maxCost: 1, prices: { "m-1": { inputPerMillion: 2, outputPerMillion: 8 } } };
  t = await makeApi({ eventsPollMs: 50, runBudget }, store, { metrics });
  const address = await t.api.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}`;
  worker = new Worker({ store: t.store, engine: runtime.engine, concurrency: 2, pollMs: 50, onEvent: engineMetricsListener(metrics) });
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
    // A whole run in a browser on a shared machine: room enough, never a measure of speed.
  }, 120_000);

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

  it("opens each step: input, output, retries, error, cache hit, the model's decision, tokens and cost; a timeline and the budget use", async () => {
    await seedSteps(t.store, testRunId(10));
    const page = await signedIn("acme", "en-US", `runs/${testRunId(10)}`);
    const steps = page.getByTestId("steps");
    await steps.waitFor();
    const hit = steps.locator('details[data-step-key="subtask/fetch/call/0"]');
    await hit.locator("summary").click();
    expect(await hit.textContent()).toContain("cache hit");
    expect(await hit.textContent()).toContain("none: answered from the tool cache");
    expect(await hit.locator("pre").last().textContent()).toContain('"rows": 3');
    const failed = steps.locator('details[data-step-key="subtask/fetch/call/1"]');
    // Keyboard: a step opens with Enter on its summary.
    await failed.locator("summary").focus();
    await page.keyboard.press("Enter");
    expect(await failed.textContent()).toContain("3 (retries: 2)");
    expect(await failed.textContent()).toContain("TOOL_TIMEOUT");
    const model = steps.locator('details[data-step-key="subtask/fetch/model/0"]');
    await model.locator("summary").click();
    expect(await model.textContent()).toContain("1,000 in + 500 out = 1,500");
    expect(await model.textContent()).toContain("The model's decision");
    expect(await model.textContent()).toContain("0.006");
    const timeline = page.getByTestId("timeline").locator("li");
    expect(await timeline.allTextContents()).toEqual(["Fetchcancelled", "ledger.query0 s", "ledger.query0.3 s"]);
    const budget = await page.getByTestId("budget").locator("tbody tr").allTextContents();
    expect(budget[0]).toContain("1,500");
    expect(budget[0]).toContain("10,000");
    expect(budget[1]).toContain("220");
    await page.screenshot({ path: `${SHOTS}/run-steps.png`, fullPage: true });
    await expectAccessible(page);
    await page.context().close();
  });

  it("decides an ambiguous call from the run page: refuses bad JSON, then done with the output; fail with a reason", async () => {
    const done = await seedApproval(t.store, { runId: testRunId(11), tenant: "acme", kind: "tool_call", tool: "payments.pay" });
    const failed = await seedApproval(t.store, { runId: testRunId(12), tenant: "acme", kind: "tool_call", tool: "payments.pay" });
    const page = await signedIn("acme", "en-US", `runs/${done.runId}`);
    const panel = page.getByRole("region", { name: "Decide the call to payments.pay" });
    await panel.waitFor();
    await expectAccessible(page);
    await panel.getByLabel("What the call returned (JSON)").fill("{ paid: yes");
    await panel.getByRole("button", { name: "It happened: done with this output" }).click();
    await panel.getByRole("alert").filter({ hasText: "Not valid JSON" }).waitFor();
    expect((await t.store.load(done.runId)).find((s) => s.key === done.stepKey)?.status).toBe("ambiguous");
    await panel.getByLabel("What the call returned (JSON)").fill('{"paid": true, "ref": "T-9"}');
    await panel.getByRole("button", { name: "It happened: done with this output" }).click();
    await panel.waitFor({ state: "detached" });
    expect((await t.store.load(done.runId)).find((s) => s.key === done.stepKey)).toMatchObject({ status: "succeeded", output: { paid: true, ref: "T-9" } });

    await page.goto(`${base}/ui/#/runs/${failed.runId}`);
    const second = page.getByRole("region", { name: "Decide the call to payments.pay" });
    await second.getByLabel("Reason").fill("the bank has no such transfer");
    // Keyboard only: focus the button and press Enter.
    await second.getByRole("button", { name: "Fail the step" }).focus();
    await page.keyboard.press("Enter");
    await second.waitFor({ state: "detached" });
    expect((await t.store.load(failed.runId)).find((s) => s.key === failed.stepKey)).toMatchObject({ status: "failed", error: { message: "the bank has no such transfer" } });
    await page.context().close();
  });

  it("forks a run from a step on the run page: the fork's page says where it came from, and the run lists its fork", async () => {
    const id = testRunId(60);
    await seedSucceeded(t.store, id, "acme");
    const page = await signedIn("acme", "en-US", `runs/${id}`);
    await page.locator('[data-step-key="subtask/write/done"] summary').click();
    await page.getByRole("button", { name: "Fork from here: subtask/write/done" }).click();
    const origin = page.getByTestId("forked-from");
    await origin.waitFor();
    expect(await origin.textContent()).toContain(`${id} · subtask/write/done`);
    const forkId = decodeURIComponent(page.url().split("/runs/")[1] ?? "");
    expect(forkId).not.toBe(id);
    expect(await t.store.forkLinks(forkId)).toMatchObject({ forkedFrom: { runId: id, step: "subtask/write/done" } });
    await expectAccessible(page);
    await origin.getByRole("link", { name: id }).click();
    const forks = page.getByTestId("forks");
    await forks.waitFor();
    expect(await forks.textContent()).toContain(forkId);
    await page.context().close();
  });

  it("shows a parent's child runs and the question a child asked, answered from the parent's page on the child", async () => {
    const parentId = testRunId(61);
    const childId = testRunId(62);
    await t.store.submitAudited({ description: "plan a trip", tenant: "acme" }, { runId: parentId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant: "acme" });
    await t.store.submit({ description: "book a seat", tenant: "acme" }, { runId: childId, parent: { runId: parentId, subtask: "flight" } });
    const [parentLease] = await t.store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId: parentId });
    if (!parentLease) throw new Error(`could not claim ${parentId}`);
    await t.store.sleep(parentLease, null, "waiting_children");
    const [childLease] = await t.store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId: childId });
    if (!childLease) throw new Error(`could not claim ${childId}`);
    const { step, question, schema } = SEAT_QUESTION;
    await t.store.record(childLease, { runId: childId, key: step, kind: "input", status: "started", input: { tool: "book", question, schema }, startedAt: new Date() });
    await t.store.sleep(childLease, null, "waiting_input");

    const page = await signedIn("acme", "en-US", `runs/${parentId}`);
    const children = page.getByTestId("children");
    await children.waitFor();
    expect(await page.getByTestId("run-status").textContent()).toBe("waiting for child runs");
    expect(await children.textContent()).toBe(`Child runs: ${childId} (flight, waiting for input)`);
    const panel = page.getByRole("region", { name: "A question for you" });
    await panel.getByText(`asked in child run ${childId}`).waitFor();
    await expectAccessible(page);
    await panel.getByLabel("Your answer (JSON)").fill('{"seat":"12C"}');
    await panel.getByRole("button", { name: "Send the answer" }).click();
    await panel.waitFor({ state: "detached" });
    expect((await t.store.load(childId)).find((s) => s.key === step)).toMatchObject({ status: "succeeded", output: { answer: { seat: "12C" }, by: "person" } });
    expect((await t.store.get(childId))?.status).not.toBe("waiting_input");
    // The child's page names its parent.
    await children.getByRole("link", { name: childId }).click();
    const parent = page.getByTestId("parent");
    await parent.waitFor();
    expect(await parent.textContent()).toBe(`Child run of: ${parentId} · flight`);
    await page.context().close();
  });

  it("answers a tool's question from the run page: the status says waiting for input, bad JSON and an answer off the schema are refused, then it is sent", async () => {
    const runId = await seedWaitingInput(t.store, { runId: testRunId(13), tenant: "acme" });
    const page = await signedIn("acme", "en-US", `runs/${runId}`);
    const panel = page.getByRole("region", { name: "A question for you" });
    await panel.waitFor();
    expect(await page.getByTestId("run-status").textContent()).toBe("waiting for input");
    await panel.getByText("Which seat?").waitFor();
    await expectAccessible(page);
    await panel.getByLabel("Your answer (JSON)").fill("{ seat: 12C");
    await panel.getByRole("button", { name: "Send the answer" }).click();
    await panel.getByRole("alert").filter({ hasText: "Not valid JSON" }).waitFor();
    await panel.getByLabel("Your answer (JSON)").fill('{"seat": "by the window"}');
    await panel.getByRole("button", { name: "Send the answer" }).click();
    await panel.getByRole("alert").filter({ hasText: "body.answer.seat" }).waitFor();
    expect((await t.store.load(runId)).find((s) => s.key === SEAT_QUESTION.step)?.status).toBe("started");
    await panel.getByLabel("Your answer (JSON)").fill('{"seat": "12C"}');
    await panel.getByRole("button", { name: "Send the answer" }).click();
    await panel.waitFor({ state: "detached" });
    expect((await t.store.load(runId)).find((s) => s.key === SEAT_QUESTION.step)).toMatchObject({ status: "succeeded", output: { answer: { seat: "12C" } } });
    await page.context().close();
  });

  it("shows the audit log with filters and the chain verified up to its head", async () => {
    const page = await signedIn("acme", "en-US", "audit");
    const verification = page.getByTestId("verification");
    await verification.getByText("intact").waitFor();
    const head = await t.store.auditHead();
    expect(await verification.textContent()).toContain(`Verified up to entry ${head?.seq}.`);
    expect(await verification.textContent()).toContain(head?.hash);
    const rows = page.getByTestId("audit").locator("tbody tr");
    await rows.first().waitFor();
    const all = await rows.count();
    await page.getByLabel("Action").selectOption("approval.done");
    await expect.poll(() => rows.count()).toBe(1);
    expect(all).toBeGreaterThan(1);
    expect(page.url()).toContain("action=approval.done");
    await page.screenshot({ path: `${SHOTS}/audit.png`, fullPage: true });
    await expectAccessible(page);
    await page.context().close();
  });

  it("shows the catalogue: tools with flags and JSON Schemas, agents, MCP servers", async () => {
    const page = await signedIn("acme", "en-US", "catalogue");
    const query = page.getByRole("row", { name: /^ledger\.query / });
    await query.waitFor();
    // Sensitive, cached, batched, idempotent.
    expect((await query.locator("td").allTextContents()).slice(0, 4)).toEqual(["no", "yes", "yes", "yes"]);
    await query.getByText("Input", { exact: true }).click();
    expect(await query.locator("pre").first().textContent()).toContain('"type": "object"');
    await page.getByTestId("agents").getByRole("row", { name: /writer/ }).waitFor();
    await page.getByText("No MCP server is configured.").waitFor();
    await page.screenshot({ path: `${SHOTS}/catalogue.png`, fullPage: true });
    await expectAccessible(page);
    await page.context().close();
  });

  it("shows health from /readyz and /metrics, refreshed", async () => {
    // /readyz and /metrics need no token, so the page asks for none there: sign in on the runs first.
    const page = await signedIn("acme", "en-US", "");
    await page.getByRole("heading", { name: "Runs", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Health" }).click();
    await page.getByTestId("readiness").getByText("ready").waitFor();
    const table = page.getByTestId("health");
    await table.getByRole("row", { name: /Runs waiting in the queue/ }).waitFor();
    // The seed's run finished earlier in this file: its tool calls are counted, the queue is read from the store.
    await expect.poll(async () => (await table.getByRole("row", { name: /Tool call error rate/ }).textContent()) ?? "").toMatch(/\d %/);
    expect(await table.getByRole("row", { name: /Runs waiting in the queue/ }).textContent()).toMatch(/\d$/);
    await page.screenshot({ path: `${SHOTS}/health.png`, fullPage: true });
    await expectAccessible(page);
    await page.context().close();
  });

  it("shows every view in 中文 and in English, each without serious or critical accessibility violations", async () => {
    const views: [string, string, string][] = [["", "运行", "Runs"], ["approvals", "审批", "Approvals"], ["audit", "审计", "Audit"], ["catalogue", "目录", "Catalogue"], ["health", "健康", "Health"], [`runs/${testRunId(10)}`, "report", "report"]];
    const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/ui/#/`);
    await page.getByLabel("访问令牌").fill(await token());
    await page.getByRole("button", { name: "登录" }).click();
    for (const language of ["zh", "en"] as const) {
      for (const [path, zh, en] of views) {
        await page.goto(`${base}/ui/#/${path}`);
        await page.getByRole("heading", { name: language === "zh" ? zh : en, level: 1 }).waitFor();
        await page.getByRole("navigation").getByRole("link", { name: language === "zh" ? "健康" : "Health" }).waitFor();
        await expectAccessible(page);
      }
      if (language === "zh") await page.getByLabel("语言").selectOption("en");
    }
    await context.close();
    // Twelve pages, each checked by axe, on a shared machine: room enough, never a measure of speed.
  }, 120_000);
});
