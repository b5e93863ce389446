import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** The built console, shipped in the package next to `dist/` (from `src/api/` or `dist/api/`). */
export const CONSOLE_DIR = fileURLToPath(new URL("../../dist-ui/", import.meta.url));

/** How the console signs in: at an OIDC issuer (authorization code + PKCE), or with a pasted token. */
export interface ConsoleSettings {
  readonly oidc?: { readonly issuer: string; readonly clientId: string; readonly scopes: string };
}

/** What the page reads from /ui/config.json: public values only, never a secret. */
export interface ConsoleConfig {
  readonly oidc: { readonly issuer: string; readonly clientId: string; readonly scopes: string } | null;
}

/**
 * Serves the web console under /ui/ when it was built: static files only, no auth (the page
 * calls the public API with the user's token), under the API's security headers and CSP.
 */
export async function serveConsole(app: FastifyInstance, dir = CONSOLE_DIR, settings: ConsoleSettings = {}): Promise<boolean> {
  if (!existsSync(`${dir}index.html`)) return false;
  const config: ConsoleConfig = { oidc: settings.oidc ?? null };
  // The page talks to the issuer itself (discovery, then the token endpoint): its CSP must let
  // it reach that origin, and no other.
  const issuerOrigin = settings.oidc ? new URL(settings.oidc.issuer).origin : undefined;
  await app.register(async (scope) => {
    if (issuerOrigin) {
      scope.addHook("onRequest", (_request, reply, done) => {
        const csp = reply.getHeader("content-security-policy");
        if (typeof csp === "string") reply.header("content-security-policy", withConnectSrc(csp, issuerOrigin));
        done();
      });
    }
    scope.get("/ui/config.json", (_request, reply) => reply.header("cache-control", "no-cache").send(config));
    await scope.register(fastifyStatic, {
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
  });
  app.get("/ui", (_request, reply) => reply.redirect("/ui/", 302));
  return true;
}

/** `csp` with `connect-src 'self' <origin>` (replacing any connect-src it had). */
export function withConnectSrc(csp: string, origin: string): string {
  const directives = csp.split(";").map((d) => d.trim()).filter((d) => d !== "" && !/^connect-src\s/i.test(d));
  return [...directives, `connect-src 'self' ${origin}`].join(";");
}
