import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { ServerOptions as HttpsOptions } from "node:https";
import type { Translator } from "../i18n/index.js";
import { localeFromAcceptLanguage } from "../i18n/index.js";
import type { MetricsRegistry } from "../observability/index.js";
import type { LoadShedder } from "./load-shedder.js";
import { localizeProblem, problemOf } from "./problem.js";

/** Answers a request itself (true) or leaves it to the framework (false). */
export type RequestGate = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface NodeServerOptions {
  /** TLS options for HTTPS; plain HTTP without. */
  readonly https?: HttpsOptions;
  readonly maxHeaderSize: number;
  readonly headersTimeout: number;
  readonly keepAliveTimeout: number;
  readonly requestTimeout: number;
  readonly connectionTimeout: number;
}

/**
 * The Node server under Fastify (its `serverFactory`), with the settings Fastify gives the one it
 * makes itself, and `gate` in front of Fastify's handler.
 */
export function gatedNodeServer(options: NodeServerOptions, gate: () => RequestGate, handler: (request: IncomingMessage, response: ServerResponse) => void): Server {
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    if (!gate()(request, response)) handler(request, response);
  };
  const limits = { maxHeaderSize: options.maxHeaderSize, headersTimeout: options.headersTimeout };
  const server: Server = options.https ? createHttpsServer({ ...options.https, ...limits }, listener) : createHttpServer(limits, listener);
  server.keepAliveTimeout = options.keepAliveTimeout;
  server.requestTimeout = options.requestTimeout;
  server.setTimeout(options.connectionTimeout);
  return server;
}

export interface EarlyShedSetup {
  readonly shedder: LoadShedder;
  readonly securityHeaders: Readonly<Record<string, string>>;
  /** What the routed answers' Vary says (the CORS plugin adds Origin when it is on). */
  readonly vary: string;
  readonly translator: Translator;
  readonly metrics: MetricsRegistry;
  readonly draining: () => boolean;
}

/**
 * Past saturation, an API request (`/v1/…`; never health, readiness, metrics or the console) is
 * answered 503 OVERLOADED before Fastify routes it: the same problem+json, headers and language
 * as the route's own refusal, without Fastify's routing, hooks and error handling, so that a
 * server past its rate spends less of its core refusing the excess (docs/benchmarks.md has the
 * measure). Counted under the route label `shed`.
 */
export function earlyShed(setup: EarlyShedSetup): RequestGate {
  const { shedder, securityHeaders, vary, translator, metrics, draining } = setup;
  // The headers every refusal carries, merged once: past saturation this runs for most requests.
  const fixed = { ...securityHeaders, "content-type": "application/problem+json; charset=utf-8", vary };
  return (request, response) => {
    const refusal = shedder.refusal();
    const url = request.url ?? "";
    // A browser's request (Origin) takes the routed refusal, which carries the CORS headers it
    // needs to read the 503; preflights are never shed.
    if (refusal === undefined || !url.startsWith("/v1/") || request.method === "OPTIONS" || request.headers.origin !== undefined) return false;
    const path = url.split("?")[0];
    const locale = localeFromAcceptLanguage(request.headers["accept-language"]);
    const body = JSON.stringify(localizeProblem(problemOf(refusal, path), refusal, locale, translator));
    response.writeHead(503, {
      "content-length": Buffer.byteLength(body),
      "content-language": locale,
      ...(draining() ? { connection: "close" } : {}),
      ...refusal.headers,
      ...fixed,
    });
    response.end(body);
    const labels = { method: request.method ?? "", route: "shed", status: "503" };
    metrics.inc("cs_agents_http_requests_total", labels);
    metrics.observe("cs_agents_http_request_duration_seconds", 0, labels);
    return true;
  };
}
