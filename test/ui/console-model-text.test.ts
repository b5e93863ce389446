import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { withLiveModelText } from "../../src/cli/live-model-text.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { makeApi } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { TypingModel } from "../api/typing-model.js";
import { consoleOn, signedInPage } from "./browser.js";

let t: TestApi;
let base: string;
let browser: Browser;
let worker: Worker;
const model = new TypingModel({ holdFirst: true });

beforeAll(async () => {
  t = await makeApi({ eventsPollMs: 50 });
  ({ base, browser } = await consoleOn(t));
  worker = new Worker({ store: t.store, engine: createRuntime({ model }).engine, concurrency: 1, pollMs: 50, onWritten: t.api.wake, onEvent: withLiveModelText(undefined, t.api.publish) });
  worker.start();
}, 120_000);

afterAll(async () => {
  model.release();
  await browser?.close();
  await worker?.stop(5_000);
  await t?.close();
});

describe("the console showing a model's answer as it is written", () => {
  it("shows the text while the model writes it, and leaves it to the journaled step once recorded", async () => {
    const page = await signedInPage(browser, base, "acme");
    await page.getByRole("textbox", { name: "Task" }).fill("生成季度财务报告");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.waitForURL(/#\/runs\//);
    // The page follows the run once it shows its first event; only then does the model write.
    await page.getByTestId("events").locator("li").first().waitFor();
    model.start();

    const panel = page.getByRole("region", { name: "Model output (live)" });
    await expect.poll(() => panel.locator("pre").first().textContent()).toBe("turn 1: ");
    const stepKey = await panel.locator("[data-step-key]").first().getAttribute("data-step-key");
    expect(stepKey).toMatch(/^subtask\/[^/]+\/model\/0$/);
    // Nothing of this decision is recorded yet: the text on the page came from the stream.
    expect((await t.store.load(decodeURIComponent(page.url().split("#/runs/")[1] ?? ""))).some((s) => s.key === stepKey)).toBe(false);

    model.release();
    await page.getByTestId("run-status").filter({ hasText: "succeeded" }).waitFor({ timeout: 60_000 });
    // Every decision is journaled now: the live panel is gone, the steps hold the answers.
    await expect.poll(() => page.getByTestId("live-text").count(), { timeout: 10_000 }).toBe(0);
    await page.context().close();
  }, 120_000);
});
