import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Translator } from "../i18n/index.js";
import { localeFromAcceptLanguage } from "../i18n/index.js";
import type { MetricsRegistry } from "../observability/index.js";
import type { LoadShedder } from "./load-shedder.js";
import { localizeProblem, problemOf } from "./problem.js";

/** The paths whose requests may be shed: every operation that needs a token lives under /v1/ (health, readiness, metrics do not). */
const SHEDDABLE = "/v1/";

export interface EarlyShedOptions {
  readonly shedder: LoadShedder;
  /** The headers every answer carries (the security headers). */
  readonly headers: Readonly<Record<string, string>>;
  readonly translator: Translator;
  readonly metrics: MetricsRegistry;
  readonly draining: () => boolean;
}

/**
 * Past saturation, answers 503 OVERLOADED on the HTTP server itself, as soon as a request's
 * headers are parsed: before Fastify routes it, runs its hooks or reads its body. On a saturated
 * CPU a refusal must cost far less than the work it refuses, or the refusals alone keep the
 * queue long; through Fastify's error path one cost about half a submission. The answer is the
 * one the problem table gives (problem+json in the client's language, Retry-After, the security
 * headers); the route's own admission stays, for requests that arrive while the bound is not yet
 * reached. Counted in cs_agents_http_requests_total with route "shed".
 */
export function shedEarly(server: Server, options: EarlyShedOptions): void {
  const listeners = server.listeners("request") as ((request: IncomingMessage, response: ServerResponse) => void)[];
  if (listeners.length === 0) return;
  server.removeAllListeners("request");
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const refusal = request.url?.startsWith(SHEDDABLE) ? options.shedder.refusal() : undefined;
    if (refusal === undefined) {
      for (const listener of listeners) listener.call(server, request, response);
      return;
    }
    const locale = localeFromAcceptLanguage(request.headers["accept-language"]);
    const problem = localizeProblem(problemOf(refusal, (request.url ?? "").split("?")[0]), refusal, locale, options.translator);
    const body = JSON.stringify(problem);
    response.writeHead(problem.status, {
      ...options.headers,
      ...refusal.headers,
      "content-type": "application/problem+json; charset=utf-8",
      "content-language": locale,
      vary: "Accept-Language",
      "content-length": Buffer.byteLength(body),
      ...(options.draining() ? { connection: "close" } : {}),
    });
    response.end(body);
    options.metrics.inc("cs_agents_http_requests_total", { method: request.method ?? "", route: "shed", status: String(problem.status) });
  });
}
