import type { z } from "zod";
import type { AuditEntry } from "../store/index.js";
import type { Answer, Handler, HandlerContext } from "./handlers.js";
import { buildOpenApi } from "./openapi.js";
import { OPERATIONS } from "./operations.js";
import type { AuditQuery } from "./schemas.js";

const READY_TIMEOUT_MS = 2_000;

/** How many of the tenant's entries one filtered request reads at most before it answers. */
export const AUDIT_SCAN_LIMIT = 10_000;
const AUDIT_SCAN_PAGE = 1_000;

/**
 * The tenant's entries after `after`, filtered by actor, action, target and time. The store
 * pages by sequence number only, so filters are applied to the pages read here, and one
 * request reads at most AUDIT_SCAN_LIMIT entries: a filtered page may hold fewer than `limit`
 * entries (even none) while `nextAfter` says where to go on.
 */
async function listAudit(context: HandlerContext): Promise<Answer> {
  const query = context.input.query as z.infer<typeof AuditQuery>;
  const limit = query.limit ?? 100;
  const tenant = context.principal.tenant;
  const filtered = query.actor !== undefined || query.action !== undefined || query.target !== undefined || query.from !== undefined || query.to !== undefined;
  if (!filtered) {
    const items = await context.deps.store.listAudit({ tenant, afterSeq: query.after ?? 0, limit });
    const last = items[items.length - 1];
    return { status: 200, body: { items, nextAfter: items.length === limit && last ? last.seq : null } };
  }
  const from = query.from === undefined ? -Infinity : Date.parse(query.from);
  const to = query.to === undefined ? Infinity : Date.parse(query.to);
  const keep = (e: AuditEntry) => {
    const at = Date.parse(e.at);
    return (query.actor === undefined || e.actor === query.actor) && (query.action === undefined || e.action === query.action) && (query.target === undefined || e.target === query.target) && at >= from && at < to;
  };
  const items: AuditEntry[] = [];
  let afterSeq = query.after ?? 0;
  for (let read = 0; read < AUDIT_SCAN_LIMIT; ) {
    const want = Math.min(AUDIT_SCAN_PAGE, AUDIT_SCAN_LIMIT - read);
    const page = await context.deps.store.listAudit({ tenant, afterSeq, limit: want });
    for (const entry of page) {
      afterSeq = entry.seq;
      if (!keep(entry)) continue;
      items.push(entry);
      if (items.length === limit) return { status: 200, body: { items, nextAfter: entry.seq } };
    }
    read += page.length;
    // A short page is the end of the log.
    if (page.length < want) return { status: 200, body: { items, nextAfter: null } };
  }
  return { status: 200, body: { items, nextAfter: afterSeq } };
}

async function ready(context: HandlerContext): Promise<Answer> {
  if (context.draining()) return { status: 503, body: { status: "not_ready", checks: { draining: "shutting down" } } };
  try {
    const pending = await withTimeout(context.deps.store.pendingMigrations(), READY_TIMEOUT_MS);
    if (pending.length > 0) return { status: 503, body: { status: "not_ready", checks: { migrations: `pending: ${pending.join(", ")}` } } };
    return { status: 200, body: { status: "ready", checks: { store: "ok", migrations: "ok", draining: "no" } } };
  } catch {
    return { status: 503, body: { status: "not_ready", checks: { store: "unreachable" } } };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let openApiCache: { version: string; answer: Answer } | undefined;

function openApi(version: string): Answer {
  if (openApiCache?.version !== version) openApiCache = { version, answer: fixed(buildOpenApi(version)) };
  return openApiCache.answer;
}

/**
 * A 200 whose body never changes, with its JSON text made once: the tool catalogue is ~100 KB
 * of JSON Schemas, and serializing it took ~1.9 ms of CPU per request.
 */
function fixed(body: unknown): Answer {
  return { status: 200, body, json: JSON.stringify(body) };
}

/** The fixed answer made from `source`, made once per source (a catalogue lives as long as its server). */
const fixedAnswers = new WeakMap<object, Answer>();
function fixedOf(source: object, body: () => unknown): Answer {
  let answer = fixedAnswers.get(source);
  if (!answer) fixedAnswers.set(source, (answer = fixed(body())));
  return answer;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A static reference page: no scripts, nothing loaded from elsewhere. */
function docsPage(): string {
  const rows = OPERATIONS.map(
    (op) => `<tr><td><code>${op.method}</code></td><td><code>${escapeHtml(op.path.replace(/:([A-Za-z]+)/g, "{$1}"))}</code></td><td>${op.scope ? `<code>${op.scope}</code>` : "none"}</td><td>${escapeHtml(op.summary)}</td></tr>`,
  ).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cs-agents API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}</style></head>
<body><h1>cs-agents API</h1>
<p>Bearer JWT on every <code>/v1</code> route; errors are <code>application/problem+json</code> with a stable <code>code</code>.
The machine-readable description is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>method</th><th>path</th><th>scope</th><th>what</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}

export const serviceHandlers: Readonly<Record<"listTools" | "listAgents" | "listAudit" | "health" | "ready" | "metrics" | "openapi" | "docs", Handler>> = {
  listTools: async ({ deps: { catalog } }) => fixedOf(catalog.tools, () => ({ items: catalog.tools })),
  listAgents: async ({ deps: { catalog } }) => fixedOf(catalog.agents, () => ({ items: catalog.agents })),
  listAudit,
  health: async () => ({ status: 200, body: { status: "ok" } }),
  ready,
  metrics: async (context) => ({ status: 200, body: await context.metrics.text(), type: context.metrics.contentType }),
  openapi: async (context) => openApi(context.options.version),
  docs: async () => ({ status: 200, body: docsPage(), type: "text/html; charset=utf-8" }),
};
