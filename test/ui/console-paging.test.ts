import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { RunStatus } from "../../src/core/index.js";
import type { ServiceStore } from "../../src/store/index.js";
import { makeApi, testRunId } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { consoleOn, signedInPage } from "./browser.js";

// The runs page over 1,000 runs of one tenant: it shows one page at a time and pages through
// them all by cursor. No worker runs here, so the seeded statuses stay as they are.
const RUNS = 1_000;
const PAGE = 50;
const TENANT = "bulk";
const STATUS_OF: readonly RunStatus[] = ["queued", "succeeded", "failed", "cancelled"];
const statusOf = (n: number): RunStatus => STATUS_OF[n % STATUS_OF.length] ?? "queued";

let t: TestApi;
let base: string;
let browser: Browser;

/** Run n (1…RUNS), newer as n grows, in status `statusOf(n)`. */
async function seed(store: ServiceStore): Promise<void> {
  for (let n = 1; n <= RUNS; n++) {
    const runId = testRunId(100_000 + n);
    await store.submitAudited({ description: `Bulk task ${n}`, tenant: TENANT }, { runId, requestHash: `h${n}`, submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant: TENANT });
    const status = statusOf(n);
    if (status === "cancelled") await store.cancel(runId, { action: "task.cancelled", actor: "alice", tenant: TENANT });
    if (status === "succeeded" || status === "failed") {
      const [lease] = await store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId });
      if (!lease) throw new Error(`could not claim ${runId}`);
      await store.transition(lease, status === "succeeded" ? { status, result: { subtasks: {}, artifacts: [], output: "done" } } : { status, error: { code: "TOOL_FAILED", message: "no" } });
    }
  }
}

beforeAll(async () => {
  t = await makeApi({ eventsPollMs: 50 });
  await seed(t.store);
  ({ base, browser } = await consoleOn(t));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The run numbers the table shows, top to bottom. */
function shown(page: Page): Promise<number[]> {
  return page.locator("tbody tr td:first-child a").evaluateAll((links) => links.map((a) => Number(/Bulk task (\d+)/.exec(a.textContent ?? "")?.[1])));
}

/** Run numbers from `from` down, `count` of them, among those `keep` keeps. */
function expected(from: number, count: number, keep: (n: number) => boolean = () => true): number[] {
  const out: number[] = [];
  for (let n = from; n >= 1 && out.length < count; n--) if (keep(n)) out.push(n);
  return out;
}

/** "50 on this page · queued 13 · …" as a map of status label to count. */
async function counts(page: Page): Promise<Record<string, number>> {
  const text = (await page.getByTestId("counts").textContent()) ?? "";
  const [total, ...parts] = text.split(" · ");
  return Object.fromEntries([["total", Number(/^\d+/.exec(total ?? "")?.[0])], ...parts.map((p) => [p.replace(/ \d+$/, ""), Number(/\d+$/.exec(p)?.[0])])]);
}

function countsOf(numbers: readonly number[]): Record<string, number> {
  const out: Record<string, number> = { total: numbers.length };
  for (const n of numbers) out[statusOf(n)] = (out[statusOf(n)] ?? 0) + 1;
  return out;
}

async function onPage(page: Page, label: string, numbers: readonly number[]): Promise<void> {
  await expect.poll(() => shown(page)).toEqual(numbers);
  expect(await page.getByTestId("page").textContent()).toBe(label);
  expect(await counts(page)).toEqual(countsOf(numbers));
}

describe("the runs page with 1,000 runs", () => {
  it("shows the newest page first and pages forward and back through every run by cursor", async () => {
    const page = await signedInPage(browser, base, TENANT);
    await onPage(page, "Page 1", expected(RUNS, PAGE));
    const next = page.getByRole("button", { name: "Next page" });
    const previous = page.getByRole("button", { name: "Previous page" });
    expect(await previous.count()).toBe(0);

    await next.click();
    await onPage(page, "Page 2", expected(RUNS - PAGE, PAGE));
    await next.click();
    await onPage(page, "Page 3", expected(RUNS - 2 * PAGE, PAGE));
    await previous.click();
    await onPage(page, "Page 2", expected(RUNS - PAGE, PAGE));
    await previous.click();
    await onPage(page, "Page 1", expected(RUNS, PAGE));

    // Every run once, newest first, and no next page after the last.
    const seen: number[] = [];
    for (let p = 1; ; p++) {
      await onPage(page, `Page ${p}`, expected(RUNS - (p - 1) * PAGE, PAGE));
      seen.push(...(await shown(page)));
      if ((await next.count()) === 0) break;
      await next.click();
    }
    expect(seen).toEqual(expected(RUNS, RUNS));
    // The browser's main thread still answers: the form takes typing while the list is shown.
    await page.getByRole("textbox", { name: "Task" }).fill("still here");
    expect(await page.getByRole("textbox", { name: "Task" }).inputValue()).toBe("still here");

    await page.getByRole("button", { name: "First page" }).click();
    await onPage(page, "Page 1", expected(RUNS, PAGE));
    await page.context().close();
  }, 120_000);

  it("filters by status and pages through that status only", async () => {
    const page = await signedInPage(browser, base, TENANT);
    await onPage(page, "Page 1", expected(RUNS, PAGE));
    await page.getByLabel("Status").selectOption("failed");
    const failed = (n: number) => statusOf(n) === "failed";
    await onPage(page, "Page 1", expected(RUNS, PAGE, failed));
    expect(page.url()).toContain("status=failed");
    const seen: number[] = [];
    for (let p = 1; ; p++) {
      await onPage(page, `Page ${p}`, expected(RUNS - 4 * (p - 1) * PAGE, PAGE, failed));
      seen.push(...(await shown(page)));
      const next = page.getByRole("button", { name: "Next page" });
      if ((await next.count()) === 0) break;
      await next.click();
    }
    expect(seen).toEqual(expected(RUNS, RUNS, failed));
    expect(seen).toHaveLength(RUNS / 4);
    await page.context().close();
  }, 120_000);
});
