import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { makeApi } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { consoleOn, signedInPage } from "./browser.js";

// The audit page filters through the API (GET /v1/audit?actor=&action=&target=&from=&to=),
// not over the entries it happened to load.
let t: TestApi;
let base: string;
let browser: Browser;

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));

beforeAll(async () => {
  t = await makeApi();
  // 300 entries of acme, more than one page of the view (100): actor, action and target in turn, minute n.
  for (let n = 1; n <= 300; n++) {
    await t.store.appendAudit({ tenant: "acme", actor: n % 2 === 0 ? "alice" : "bob", action: n % 3 === 0 ? "task.cancelled" : "task.submitted", target: `run-${n % 5}`, at: at(n) });
  }
  await t.store.appendAudit({ tenant: "globex", actor: "alice", action: "task.cancelled", target: "run-1", at: at(1) });
  ({ base, browser } = await consoleOn(t));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The table's rows as "actor action target". */
function rows(page: Page): Promise<string[]> {
  return page
    .getByTestId("audit")
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => {
        const [, , action, actor, target] = [...tr.querySelectorAll("td")].map((td) => td.textContent);
        return `${actor} ${action} ${target}`;
      }),
    );
}

describe("the audit page", () => {
  it("asks the API for the filtered log: actor, action, target, time range, paging, in the URL", async () => {
    const page = await signedInPage(browser, base, "acme", "audit");
    const asked: URLSearchParams[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/v1/audit") asked.push(url.searchParams);
    });
    await expect.poll(async () => (await rows(page)).length).toBe(100);

    await page.getByLabel("Actor").fill("alice");
    await page.getByLabel("Actor").press("Enter");
    await expect.poll(async () => (await rows(page)).filter((r) => r.startsWith("alice ")).length).toBe(100);
    expect(await rows(page)).toHaveLength(100);
    expect(asked.at(-1)?.get("actor")).toBe("alice");

    await page.getByLabel("Action").selectOption("task.cancelled");
    await page.getByLabel("Target").fill("run-2");
    await page.getByRole("button", { name: "Apply filters" }).click();
    // alice (even n), cancelled (n divisible by 3), run-2 (n % 5 = 2): n = 12, 42, 72, …, 282.
    const expected = Array.from({ length: 10 }, () => "alice task.cancelled run-2");
    await expect.poll(() => rows(page)).toEqual(expected);
    expect(Object.fromEntries(asked.at(-1) ?? [])).toMatchObject({ actor: "alice", action: "task.cancelled", target: "run-2" });
    expect(page.url()).toMatch(/actor=alice/);

    // From 09:42 to before 10:42 (UTC, the browser's zone here): n = 42 and 72; 102, at 10:42, is not before it.
    await page.getByLabel("From").fill("2026-01-01T09:42:00");
    await page.getByLabel("Before").fill("2026-01-01T10:42:00");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(async () => (await rows(page)).length).toBe(2);
    expect(asked.at(-1)?.get("from")).toBe("2026-01-01T09:42:00.000Z");
    expect(asked.at(-1)?.get("to")).toBe("2026-01-01T10:42:00.000Z");
    expect(await page.getByTestId("audit").locator("tbody tr td:first-child").allTextContents()).toEqual(["42", "72"]);

    // A link keeps its filters; clearing them pages through the whole log by the API's nextAfter.
    await page.reload();
    await expect.poll(async () => (await rows(page)).length).toBe(2);
    expect(await page.getByLabel("Actor").inputValue()).toBe("alice");
    await page.goto(`${base}/ui/#/audit?actor=bob`);
    await expect.poll(async () => (await rows(page)).length).toBe(100);
    await page.getByRole("button", { name: "Next page" }).click();
    await expect.poll(async () => (await rows(page)).length).toBe(50);
    expect(asked.at(-1)?.get("after")).not.toBeNull();
    expect((await rows(page)).every((r) => r.startsWith("bob "))).toBe(true);
    await page.context().close();
  }, 120_000);

  it("shows the API's refusal of a bad filter instead of a blank page", async () => {
    const page = await signedInPage(browser, base, "acme", "audit?from=yesterday");
    await page.getByRole("alert").filter({ hasText: "from" }).waitFor();
    expect(await page.getByTestId("audit").count()).toBe(0);
    await page.context().close();
  });

  it("shows only the caller's tenant", async () => {
    const page = await signedInPage(browser, base, "globex", "audit");
    await expect.poll(() => rows(page)).toEqual(["alice task.cancelled run-1"]);
    await page.context().close();
  });
});
