import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { CONSOLE_DIR } from "../../src/api/ui-static.js";
import { token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";

/** Debian's Chromium: under CI a missing browser is a failure, never a skip. */
export const CHROMIUM = "/usr/bin/chromium";

/** Chromium, headless, with the console built (it is built once when missing). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk)`);
  if (!existsSync(`${CONSOLE_DIR}index.html`)) execFileSync("npm", ["run", "build:ui"], { stdio: "inherit" });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/** A new page at `base`/ui/#/`path`, signed in with a token of `tenant` through the page's own prompt. */
export async function signedInPage(browser: Browser, base: string, tenant: string, path = "", timezoneId = "UTC"): Promise<Page> {
  const context = await browser.newContext({ locale: "en-US", timezoneId, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/ui/#/${path}`);
  await page.getByLabel("Access token").fill(await token({ tenant }));
  await page.getByRole("button", { name: "Sign in" }).click();
  return page;
}

/** `api` listening on loopback and a browser to open its console with. */
export async function consoleOn(api: TestApi): Promise<{ readonly base: string; readonly browser: Browser }> {
  const address = await api.api.listen(0, "127.0.0.1");
  return { base: `http://127.0.0.1:${address.port}`, browser: await launchBrowser() };
}
