import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** The built console, shipped in the package next to `dist/` (from `src/api/` or `dist/api/`). */
export const CONSOLE_DIR = fileURLToPath(new URL("../../dist-ui/", import.meta.url));

/**
 * Serves the web console under /ui/ when it was built: static files only, no auth (the page
 * calls the public API with the user's token), under the API's security headers and CSP.
 */
export async function serveConsole(app: FastifyInstance, dir = CONSOLE_DIR): Promise<boolean> {
  if (!existsSync(`${dir}index.html`)) return false;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/ui/",
    index: ["index.html"],
    wildcard: true,
    cacheControl: false,
    // The build writes .br and .gz next to each file (ui/vite.config.ts): sent when accepted.
    preCompressed: true,
    // The page must be fetched again after an upgrade; the files it names carry a content hash
    // in their names (Vite's assets/), so they never change and may be kept for a year.
    setHeaders: (response, path) => {
      response.setHeader("cache-control", /[\\/]assets[\\/]/.test(path) ? "public, max-age=31536000, immutable" : "no-cache");
      // The same URL answers br, gzip or plain bytes: caches between must keep them apart.
      response.setHeader("vary", "Accept-Encoding");
    },
  });
  app.get("/ui", (_request, reply) => reply.redirect("/ui/", 302));
  return true;
}
