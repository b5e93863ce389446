import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CONSOLE_DIR } from "../../src/api/ui-static.js";

// The first page is index.html and every script, stylesheet and preload it names.
const BUDGET_BYTES = 300 * 1024;

describe("the console's bundle", () => {
  it("loads its first page in at most 300 KB of gzipped JS and CSS", () => {
    if (!existsSync(`${CONSOLE_DIR}index.html`)) execFileSync("npm", ["run", "build:ui"], { stdio: "inherit" });
    const html = readFileSync(`${CONSOLE_DIR}index.html`, "utf8");
    const assets = [...html.matchAll(/(?:src|href)="\/ui\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? "");
    expect(assets.some((a) => a.endsWith(".js"))).toBe(true);
    const gzipped = assets.reduce((sum, asset) => sum + gzipSync(readFileSync(`${CONSOLE_DIR}${asset}`), { level: 9 }).length, 0);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
