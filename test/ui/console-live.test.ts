import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createRulesModel } from "../../src/agents/index.js";
import type { AgentModel } from "../../src/agents/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { makeApi } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { launchBrowser, signedInPage } from "./browser.js";
import { startCuttingProxy } from "./cutting-proxy.js";
import type { CuttingProxy } from "./cutting-proxy.js";

// A run watched live while the page reloads and its connections drop: the worker's model is
// held at each turn, so "the middle of the run" is a place, not a moment.

/** The rules model, each decision held until the test lets it through. */
class HeldModel implements AgentModel {
  readonly name = "held-rules";
  readonly deterministic = true;
  readonly #inner = createRulesModel();
  #allowed = 0;
  #asked = 0;
  #waiting: { n: number; resolve: () => void }[] = [];
  #askedListeners: { n: number; resolve: () => void }[] = [];

  async decide(context: Parameters<AgentModel["decide"]>[0]): ReturnType<AgentModel["decide"]> {
    const n = ++this.#asked;
    for (const l of this.#askedListeners.filter((l) => l.n <= n)) l.resolve();
    if (n > this.#allowed) await new Promise<void>((resolve) => this.#waiting.push({ n, resolve }));
    return this.#inner.decide(context);
  }

  /** Resolves once the model has been asked `n` times (the n-th turn may be held). */
  asked(n: number): Promise<void> {
    if (this.#asked >= n) return Promise.resolve();
    return new Promise((resolve) => this.#askedListeners.push({ n, resolve }));
  }

  /** Lets the first `n` decisions through. */
  allow(n: number): void {
    this.#allowed = n;
    for (const w of this.#waiting.filter((w) => w.n <= n)) w.resolve();
    this.#waiting = this.#waiting.filter((w) => w.n > n);
  }
}

let t: TestApi;
let proxy: CuttingProxy;
let base: string;
let browser: Browser;
let worker: Worker;
const model = new HeldModel();

beforeAll(async () => {
  t = await makeApi({ eventsPollMs: 50 });
  const address = await t.api.listen(0, "127.0.0.1");
  proxy = await startCuttingProxy({ host: "127.0.0.1", port: address.port });
  base = `http://127.0.0.1:${proxy.port}`;
  worker = new Worker({ store: t.store, engine: createRuntime({ model }).engine, concurrency: 1, pollMs: 50 });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  model.allow(Number.MAX_SAFE_INTEGER);
  await browser?.close();
  await worker?.stop(5_000);
  await proxy?.close();
  await t?.close();
});

describe("the console watching a run live", () => {
  it("loses and repeats no event when the page reloads mid-run or its connection drops; the DAG ends all green", async () => {
    const page = await signedInPage(browser, base, "acme");
    await page.getByRole("textbox", { name: "Task" }).fill("生成季度财务报告");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.waitForURL(/#\/runs\//);
    const runId = decodeURIComponent(page.url().split("#/runs/")[1] ?? "");
    const shownIds = () => page.getByTestId("events").locator("li").evaluateAll((items) => items.map((li) => Number(li.getAttribute("data-event-id"))));
    const storedIds = async () => (await t.store.listRunEvents(runId, 0)).map((e) => e.id);
    // The page shows exactly the store's event log, in order (it may be a poll behind).
    const inStep = async () => JSON.stringify(await shownIds()) === JSON.stringify(await storedIds());
    worker.start();

    // Held at the fourth of the run's turns (nine here, three subtasks): the page has shown
    // the run's first events; reload.
    model.allow(3);
    await model.asked(4);
    await expect.poll(async () => (await shownIds()).length > 1 && (await inStep())).toBe(true);
    const atReload = await shownIds();
    await page.reload();
    await page.getByTestId("run-status").waitFor();
    await expect.poll(inStep).toBe(true);
    expect(await shownIds()).toEqual(atReload);

    // Held at the seventh turn, with events after the reload: every connection drops; the page
    // resumes from the last event it has.
    model.allow(6);
    await model.asked(7);
    await expect.poll(async () => (await shownIds()).length > atReload.length && (await inStep())).toBe(true);
    const before = await shownIds();
    proxy.cutAll();
    model.allow(Number.MAX_SAFE_INTEGER);

    await page.getByTestId("run-status").filter({ hasText: "succeeded" }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator(".react-flow__node.succeeded").count(), { timeout: 10_000 }).toBe(3);
    expect(await page.locator(".react-flow__node:not(.succeeded)").count()).toBe(0);
    await expect.poll(inStep, { timeout: 10_000 }).toBe(true);
    const all = await shownIds();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThan(before.length);
    expect((await t.store.listRunEvents(runId, 0)).at(-1)?.type).toBe("run.succeeded");
    // The stream resumed with the last event the page had, not from the start.
    expect(proxy.lastEventIds).toContain(before.at(-1));
    await page.context().close();
  }, 120_000);
});
