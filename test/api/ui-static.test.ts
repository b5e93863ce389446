import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gzipSync } from "node:zlib";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { serveConsole } from "../../src/api/ui-static.js";

const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function consoleApp(): Promise<ReturnType<typeof Fastify>> {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-ui-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><script type=module src=./assets/index-abc123.js></script>");
  writeFileSync(join(dir, "assets", "index-abc123.js"), "export {};");
  // As the build writes them (ui/vite.config.ts).
  writeFileSync(join(dir, "index.html.br"), brotliCompressSync(readFileSync(join(dir, "index.html"))));
  writeFileSync(join(dir, "assets", "index-abc123.js.br"), brotliCompressSync("export {};"));
  writeFileSync(join(dir, "assets", "index-abc123.js.gz"), gzipSync("export {};"));
  const app = Fastify();
  apps.push(app);
  expect(await serveConsole(app, `${dir}/`)).toBe(true);
  return app;
}

describe("the console's files", () => {
  it("serves the page uncached, so an upgrade is seen on the next load", async () => {
    const app = await consoleApp();
    for (const url of ["/ui/", "/ui/index.html"]) {
      const page = await app.inject({ url });
      expect(page.statusCode).toBe(200);
      expect(page.headers["cache-control"]).toBe("no-cache");
    }
  });

  it("lets the browser keep the content-hashed assets", async () => {
    const app = await consoleApp();
    const asset = await app.inject({ url: "/ui/assets/index-abc123.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("sends the build's compressed copies to browsers that take them, with the same cache rules", async () => {
    const app = await consoleApp();
    const br = await app.inject({ url: "/ui/assets/index-abc123.js", headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe("export {};");
    expect(br.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    const gz = await app.inject({ url: "/ui/assets/index-abc123.js", headers: { "accept-encoding": "gzip" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    const plain = await app.inject({ url: "/ui/assets/index-abc123.js", headers: { "accept-encoding": "identity" } });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe("export {};");
    for (const url of ["/ui/", "/ui/index.html"]) {
      const page = await app.inject({ url, headers: { "accept-encoding": "br" } });
      expect(page.headers["content-encoding"]).toBe("br");
      expect(page.headers["cache-control"]).toBe("no-cache");
    }
  });

  it("serves nothing when the console was not built", async () => {
    const app = Fastify();
    apps.push(app);
    expect(await serveConsole(app, `${mkdtempSync(join(tmpdir(), "cs-agents-ui-"))}/`)).toBe(false);
  });
});
