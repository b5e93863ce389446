// The web console on loopback: `cs-agents serve --workers 0` (SQLite, auth off) with 10,000 runs
// stored, driven by Debian's Chromium through playwright-core. First load: a fresh browser
// context (empty cache) navigates to /ui/ until the runs table shows its first row. Next page:
// a click on "Next page" until the table shows the next runs. Times are taken in the page, from
// a MutationObserver (first load: from the navigation's start; next page: from the click).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { newRunId } from "../../dist/core/index.js";
import { SqliteStore } from "../../dist/store/index.js";
import { freePort } from "../free-port.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const STORED_RUNS = 10_000;

async function seed(dbPath) {
  const store = SqliteStore.open(dbPath);
  for (let i = 0; i < STORED_RUNS; i++) {
    await store.submitAudited({ description: `生成季度财务报告 #${i + 1}`, tenant: "local" }, { runId: newRunId(), requestHash: `h${i}`, submittedBy: "local" }, { action: "task.submitted", actor: "local", tenant: "local" });
  }
  await store.close();
}

async function startServe(dbPath) {
  const port = await freePort();
  const env = { ...process.env, CS_AGENTS_AUTH: "off", DATABASE_URL: dbPath, CS_AGENTS_LOG_FORMAT: "json", CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT: "1000000000", REDIS_URL: "" };
  const child = spawn(process.execPath, ["bin/cs-agents.js", "serve", "--workers", "0", "--host", "127.0.0.1", "--port", String(port)], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes("listening on")) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`serve exited (${code}) before listening: ${output.slice(-500)}`)));
  });
  child.removeAllListeners("exit");
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Set before the page's own scripts run: the time (from the navigation's start) the runs table first has a row. */
function watchFirstRow() {
  const seen = () => {
    if (globalThis.__firstRowAt === undefined && document.querySelector("tbody tr td a")) globalThis.__firstRowAt = performance.now();
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const stats = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length });

export async function run({ quick, log }) {
  if (!existsSync(CHROMIUM)) return { rows: [], notes: [`${CHROMIUM} is missing: install Debian's chromium`] };
  if (!existsSync(`${ROOT}dist-ui/index.html`)) execFileSync("npm", ["run", "build:ui"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  const reps = quick ? 5 : 15;
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-console-"));
  const rows = [];
  let server;
  let browser;
  try {
    const dbPath = join(dir, "console.db");
    await seed(dbPath);
    log(`${STORED_RUNS.toLocaleString("en")} runs stored`);
    server = await startServe(dbPath);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"] });
    const first = [];
    const domContentLoaded = [];
    const asked = [];
    const answered = [];
    const transferred = [];
    const reload = [];
    const next = [];
    // One throw-away round warms the server (its first requests load code) and the OS caches.
    for (let rep = -1; rep < reps; rep++) {
      const context = await browser.newContext({ locale: "en-US", viewport: { width: 1200, height: 900 } });
      await context.addInitScript(watchFirstRow);
      const page = await context.newPage();
      await page.goto(`${server.url}/ui/`);
      await page.waitForFunction(() => globalThis.__firstRowAt !== undefined);
      const cold = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        const bytes = performance.getEntriesByType("resource").reduce((n, r) => n + r.transferSize, nav.transferSize);
        const runs = performance.getEntriesByType("resource").find((r) => r.name.includes("/v1/tasks?"));
        return { shown: globalThis.__firstRowAt, dcl: nav.domContentLoadedEventEnd, bytes, asked: runs?.startTime ?? Number.NaN, answered: runs?.responseEnd ?? Number.NaN };
      });
      // The same page again, with the hashed assets in the browser's cache.
      await page.reload();
      await page.waitForFunction(() => globalThis.__firstRowAt !== undefined);
      const warm = await page.evaluate(() => globalThis.__firstRowAt);
      // Next page: from the click until the first row names another run.
      const firstText = await page.locator("tbody tr td a").first().textContent();
      const changed = page.evaluate(
        (before) =>
          new Promise((resolve) => {
            const started = performance.now();
            const check = () => {
              const now = document.querySelector("tbody tr td a")?.textContent;
              if (now && now !== before) {
                observer.disconnect();
                resolve(performance.now() - started);
              }
            };
            const observer = new MutationObserver(check);
            observer.observe(document, { childList: true, subtree: true, characterData: true });
            document.querySelector(".pager button:last-of-type")?.click();
          }),
        firstText,
      );
      const nextMs = await changed;
      if (rep >= 0) {
        first.push(cold.shown);
        domContentLoaded.push(cold.dcl);
        asked.push(cold.asked);
        answered.push(cold.answered);
        transferred.push(cold.bytes);
        reload.push(warm);
        next.push(nextMs);
        log(`rep ${rep + 1}: first load ${cold.shown.toFixed(0)} ms (DOMContentLoaded ${cold.dcl.toFixed(0)} ms, runs asked for at ${cold.asked.toFixed(0)} ms and answered at ${cold.answered.toFixed(0)} ms, ${(cold.bytes / 1024).toFixed(0)} KiB), reload ${warm.toFixed(0)} ms, next page ${nextMs.toFixed(0)} ms`);
      }
      await context.close();
    }
    rows.push(
      { key: "first-load", case: `first load of /ui/ until the runs table shows (empty cache, ${STORED_RUNS.toLocaleString("en")} runs stored)`, ms: stats(first) },
      { key: "dom-content-loaded", case: "…of which DOMContentLoaded (the page and its script parsed)", ms: stats(domContentLoaded) },
      { key: "runs-asked", case: "…the runs list asked for (GET /v1/tasks sent)", ms: stats(asked) },
      { key: "runs-answered", case: "…the runs list answered (its last byte in)", ms: stats(answered) },
      { key: "reload", case: "reload until the runs table shows (assets cached)", ms: stats(reload) },
      { key: "next-page", case: "runs view: click on Next page until the next 50 runs show", ms: stats(next) },
    );
    return {
      rows,
      notes: [
        `${reps} rounds after one warm-up round; each round a fresh browser context (empty cache); medians, min and max`,
        `bytes over the wire on first load (page, script, style, API answers): median ${(median(transferred) / 1024).toFixed(0)} KiB`,
        "server: `cs-agents serve --workers 0` (SQLite file, auth off) and headless Chromium (playwright-core) on the same machine; times taken in the page by a MutationObserver",
      ],
    };
  } finally {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
