import type { z } from "zod";
import { readAuditLog, verifyAuditChain } from "../audit/index.js";
import type { Answer, Handler, HandlerContext } from "./handlers.js";
import type { AuditVerificationSchema, RunIdParams } from "./schemas.js";
import { stepList } from "./step-view.js";
import { tenantRun } from "./task-handlers.js";

// Read-only views behind the console's run details, catalogue and audit pages; like every
// route, they answer the API's clients the same way.

async function getTaskSteps(context: HandlerContext): Promise<Answer> {
  const { id } = context.input.params as z.infer<typeof RunIdParams>;
  const run = await tenantRun(context, id);
  const { prices = {}, ...budget } = context.options.runBudget;
  const cachedTools = new Set(context.deps.catalog.tools.filter((t) => t.cached).map((t) => t.name));
  return { status: 200, body: stepList(run, await context.deps.store.load(run.id), { cachedTools, prices, budget, now: context.deps.now() }) };
}

/**
 * Walks the whole chain (every tenant's entries: the chain is one) and the signed checkpoints.
 * It reads the log once per request, so it is for a person looking, not for polling.
 */
async function verifyAudit(context: HandlerContext): Promise<Answer> {
  const checkpoints = await context.deps.auditCheckpoints();
  const verdict = await verifyAuditChain(readAuditLog(context.deps.store), checkpoints);
  const last = [...checkpoints].sort((a, b) => b.seq - a.seq)[0];
  const body: z.infer<typeof AuditVerificationSchema> = verdict.ok
    ? { ok: true, entries: verdict.entries, head: verdict.head ?? null, checkpoints: verdict.checkpoints, lastCheckpoint: last ? { seq: last.seq, at: last.at } : null, brokenAt: null, reason: null, checkedAt: context.deps.now().toISOString() }
    : { ok: false, entries: verdict.seq - 1, head: null, checkpoints: 0, lastCheckpoint: last ? { seq: last.seq, at: last.at } : null, brokenAt: verdict.seq, reason: verdict.reason, checkedAt: context.deps.now().toISOString() };
  return { status: 200, body };
}

export const inspectionHandlers: Readonly<Record<"getTaskSteps" | "listMcpServers" | "verifyAudit", Handler>> = {
  getTaskSteps,
  listMcpServers: async (context) => ({ status: 200, body: { items: context.deps.catalog.mcpServers() } }),
  verifyAudit,
};
