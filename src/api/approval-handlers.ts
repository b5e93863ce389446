import type { z } from "zod";
import { canonicalHash } from "../core/index.js";
import type { Step } from "../core/index.js";
import type { AmbiguousDecision } from "../store/index.js";
import type { Answer, Handler, HandlerContext } from "./handlers.js";
import { ApiError } from "./problem.js";
import { approvalId, parseApprovalId } from "./run-view.js";
import type { ApprovalBody, ApprovalParams, ApprovalSchema } from "./schemas.js";
import { tenantRun } from "./task-handlers.js";

type Approval = z.infer<typeof ApprovalSchema>;

/**
 * A pending decision as the API shows it. Sensitive-tool approvals carry the `argsHash` the
 * engine bound them to; an ambiguous call is bound to the same hash of its tool and input.
 */
export function approvalOf(runId: string, step: Step, ttlMs: number): Approval {
  const input = (step.input ?? {}) as { tool?: unknown; input?: unknown; argsHash?: unknown };
  const tool = typeof input.tool === "string" ? input.tool : "";
  const argsHash = typeof input.argsHash === "string" ? input.argsHash : canonicalHash({ tool, input: input.input });
  return {
    id: approvalId(runId, step.key),
    runId,
    stepKey: step.key,
    kind: step.kind === "approval" ? "sensitive_tool" : "ambiguous_call",
    tool,
    input: input.input ?? null,
    argsHash,
    requestedAt: step.startedAt.toISOString(),
    expiresAt: new Date(step.startedAt.getTime() + ttlMs).toISOString(),
  };
}

async function listApprovals(context: HandlerContext): Promise<Answer> {
  const { store } = context.deps;
  const waiting = await store.listHeaders({ tenant: context.principal.tenant, status: ["waiting_approval"], limit: 500 });
  const items: Approval[] = [];
  for (const run of waiting) {
    for (const step of await store.load(run.id)) {
      if (step.status === "ambiguous") items.push(approvalOf(run.id, step, context.options.approvals.ttlMs));
    }
  }
  return { status: 200, body: { items } };
}

async function decideApproval(context: HandlerContext): Promise<Answer> {
  const { id } = context.input.params as z.infer<typeof ApprovalParams>;
  const body = context.input.body as z.infer<typeof ApprovalBody>;
  const { principal, deps, options } = context;
  const target = parseApprovalId(id);
  if (!target) throw new ApiError("NOT_FOUND", `no approval ${id.slice(0, 100)}`, { i18n: { key: "api.no-approval", params: { id: id.slice(0, 100) } } });
  const run = await tenantRun(context, target.runId);
  const step = (await deps.store.load(run.id)).find((s) => s.key === target.stepKey);
  if (!step) throw new ApiError("NOT_FOUND", `no approval ${id}`, { i18n: { key: "api.no-approval", params: { id } } });
  if (step.status !== "ambiguous") throw new ApiError("NOT_AMBIGUOUS", `approval ${id} was already decided (${step.status}); a decision is used once`, { i18n: { key: "api.approval-decided", params: { id, status: step.status } } });
  const approval = approvalOf(run.id, step, options.approvals.ttlMs);
  if (body.decision === "done" && approval.kind !== "ambiguous_call") throw new ApiError("INVALID_INPUT", "body: decision done is for an ambiguous call; a sensitive call is approved or denied");
  if (body.decision === "done" && body.output === undefined) throw new ApiError("INVALID_INPUT", "body: decision done needs output: what the tool returned, as JSON");
  const audit = (action: string, extra: Record<string, unknown> = {}) => ({
    action,
    actor: principal.subject,
    tenant: principal.tenant,
    details: { stepKey: step.key, tool: approval.tool, argsHash: approval.argsHash, ...extra },
  });
  if (body.argsHash !== approval.argsHash) {
    await deps.store.appendAudit({ ...audit("approval.mismatch"), target: run.id, details: { ...audit("").details, offeredHash: body.argsHash } });
    throw new ApiError("APPROVAL_MISMATCH", `approval ${id} is for other arguments of ${approval.tool}; fetch it again and review what it will do`, { i18n: { key: "api.approval-mismatch", params: { id, tool: approval.tool } } });
  }
  if (deps.now().getTime() > Date.parse(approval.expiresAt)) {
    await deps.store
      .decideAudited(run.id, step.key, { action: "fail", reason: `the approval request expired at ${approval.expiresAt}` }, audit("approval.expired"))
      .then(() => deps.onDecided(run.id))
      .catch((error: unknown) => deps.log.warn({ runId: run.id, reason: error instanceof Error ? error.message : String(error) }, "expiring an approval failed"));
    throw new ApiError("APPROVAL_EXPIRED", `approval ${id} expired at ${approval.expiresAt}; it was denied`, { i18n: { key: "api.approval-expired", params: { id, expiresAt: approval.expiresAt } } });
  }
  if (body.decision === "approve" && approval.kind === "sensitive_tool" && options.approvals.requireSeparateApprover) {
    const submission = await deps.store.submission(run.id);
    if (submission?.submittedBy === principal.subject) {
      throw new ApiError("SEPARATE_APPROVER_REQUIRED", "the token that submitted this task cannot approve its sensitive step; another person must", { i18n: { key: "api.separate-approver" } });
    }
  }
  await deps.store.decideAudited(run.id, step.key, decisionFor(approval, body, principal.subject), audit(`approval.${{ approve: "approved", deny: "denied", done: "done" }[body.decision]}`, body.reason ? { reason: body.reason } : {}));
  deps.onDecided(run.id);
  const after = await deps.store.get(run.id);
  return { status: 200, body: { id, runId: run.id, stepKey: step.key, decision: body.decision, runStatus: after?.status ?? run.status } };
}

/**
 * Approve: a sensitive call may go ahead, an ambiguous call is made again. Deny: the step fails.
 * Done: an ambiguous call did happen; `output` is what it returned.
 */
function decisionFor(approval: Approval, body: z.infer<typeof ApprovalBody>, by: string): AmbiguousDecision {
  if (body.decision === "done") return { action: "done", output: body.output };
  if (body.decision === "deny") return { action: "fail", reason: body.reason?.trim() || `denied by ${by}` };
  return approval.kind === "sensitive_tool" ? { action: "done", output: { approved: true, by } } : { action: "retry" };
}

export const approvalHandlers: Readonly<Record<"listApprovals" | "decideApproval", Handler>> = { listApprovals, decideApproval };
