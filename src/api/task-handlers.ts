import type { z } from "zod";
import { artifactBytes, canonicalHash, FINAL_RUN_STATUSES, newTraceparent, RUN_ID_PATTERN, TRACEPARENT } from "../core/index.js";
import type { Run, RunStatus } from "../core/index.js";
import type { StoredReferences } from "../store/index.js";
import type { Answer, Handler, HandlerContext } from "./handlers.js";
import { ApiError } from "./problem.js";
import { runPage } from "./run-page.js";
import { artifactViews, runDetail, runSummary } from "./run-view.js";
import { acceptedCallbackUrl, callbackOf } from "./callback-view.js";
import { familyOf } from "./child-views.js";
import type { ArtifactParams, ListQuery, RunIdParams, SubmitBody } from "./schemas.js";

/**
 * The run, if it exists and belongs to the caller's tenant. Another tenant's run, or an id that
 * cannot be one, is NOT_FOUND: the answer never tells whether it exists. Read with `reader`
 * (default: the store, values whole).
 */
export async function tenantRun(context: Pick<HandlerContext, "deps" | "principal">, id: string, reader: Pick<StoredReferences, "get"> = context.deps.store): Promise<Run> {
  const run = RUN_ID_PATTERN.test(id) ? await reader.get(id) : undefined;
  if (!run || run.task.tenant !== context.principal.tenant) throw new ApiError("NOT_FOUND", `no task ${id}`, { i18n: { key: "api.no-task", params: { id } } });
  return run;
}

async function submitTask(context: HandlerContext): Promise<Answer> {
  const body = context.input.body as z.infer<typeof SubmitBody>;
  const { principal, deps, options } = context;
  const key = context.idempotencyKey;
  const requestHash = canonicalHash(body);
  // A second request with a key whose submission is being created right now answers 409.
  const busy = context.submissionsInFlight;
  const slot = key === undefined ? undefined : `${principal.tenant}\n${key}`;
  if (slot !== undefined && busy.has(slot)) throw new ApiError("IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is still being processed; retry shortly", { i18n: { key: "api.idempotency-in-progress" } });
  if (slot !== undefined) busy.add(slot);
  try {
    // The caller's trace context when it sent a valid one, else a new trace: the run carries it
    // through the queue, so its spans join the caller's trace on whichever worker runs it.
    const incoming = context.caller.traceparent?.trim();
    const traceparent = incoming !== undefined && TRACEPARENT.test(incoming) ? incoming : newTraceparent();
    const callbackUrl = body.callbackUrl === undefined ? undefined : acceptedCallbackUrl(body.callbackUrl, options.webhooks);
    const task = { description: body.description, ...(body.input ? { input: body.input } : {}), ...(body.priority === undefined ? {} : { priority: body.priority }), tenant: principal.tenant, ...(key ? { idempotencyKey: key } : {}), traceparent, ...(callbackUrl ? { callbackUrl } : {}) };
    const details = { requestHash, ...(key ? { idempotencyKey: key } : {}) };
    const submission = await deps.store.submitAudited(
      task,
      { runId: deps.newRunId(), requestHash, submittedBy: principal.subject, ...(options.maxActiveRunsPerTenant > 0 ? { maxActiveRuns: options.maxActiveRunsPerTenant } : {}) },
      { action: "task.submitted", actor: principal.subject, tenant: principal.tenant, details },
    );
    if (!submission.created && submission.requestHash !== null && submission.requestHash !== requestHash) {
      throw new ApiError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different body; use a new key for a new task", { i18n: { key: "api.idempotency-key-reused" } });
    }
    const headers: Record<string, string> = { Location: `/v1/tasks/${submission.run.id}` };
    if (submission.created) {
      context.metrics.inc("cs_agents_runs_submitted_total");
      deps.onSubmitted(submission.run.id);
    } else headers["Idempotent-Replayed"] = "true";
    return { status: 202, body: runDetail(submission.run, []), headers };
  } finally {
    if (slot !== undefined) busy.delete(slot);
  }
}

async function listTasks(context: HandlerContext): Promise<Answer> {
  const query = context.input.query as z.infer<typeof ListQuery>;
  const limit = query.limit ?? 50;
  if (query.cursor !== undefined && !RUN_ID_PATTERN.test(query.cursor)) throw new ApiError("INVALID_INPUT", "query: cursor is not a nextCursor this API gave", { i18n: { key: "api.cursor-invalid" } });
  const runs = await context.deps.store.listHeaders({
    tenant: context.principal.tenant,
    limit,
    ...(query.status ? { status: query.status.split(",") as RunStatus[] } : {}),
    ...(query.cursor ? { before: query.cursor } : {}),
  });
  const last = runs[runs.length - 1];
  return { status: 200, body: { items: runs.map(runSummary), nextCursor: runs.length === limit && last ? last.id : null } };
}

async function getTask(context: HandlerContext): Promise<Answer> {
  const { id } = context.input.params as z.infer<typeof RunIdParams>;
  // Read as stored when large values live in the artifact store: only what the page shows is read from it.
  const references = context.deps.store.references;
  const run = await tenantRun(context, id, references);
  const [steps, callback, links, { children, childQuestions }] = await Promise.all([(references ?? context.deps.store).load(run.id), callbackOf(context, run), context.deps.store.forkLinks(run.id), familyOf(context, run)]);
  const extras = { callback, family: { children, questions: childQuestions }, links };
  if (!references) return { status: 200, body: runDetail(run, steps, extras) };
  const page = await runPage(references, run, steps);
  return { status: 200, body: runDetail(page.run, page.steps, page.artifacts ? { ...extras, artifacts: artifactViews(run.id, page.artifacts) } : extras) };
}

async function cancelTask(context: HandlerContext): Promise<Answer> {
  const { id } = context.input.params as z.infer<typeof RunIdParams>;
  const run = await tenantRun(context, id);
  if (FINAL_RUN_STATUSES.has(run.status) && run.status !== "cancelled") throw new ApiError("RUN_FINISHED", `task ${id} already ${run.status}; it cannot be cancelled`, { i18n: { key: "api.task-finished", params: { id, status: run.status } } });
  const { principal, deps } = context;
  const outcome = await deps.store.cancel(run.id, { action: "task.cancelled", actor: principal.subject, tenant: principal.tenant, details: { previousStatus: run.status } });
  if (!outcome) throw new ApiError("NOT_FOUND", `no task ${id}`, { i18n: { key: "api.no-task", params: { id } } });
  if (!outcome.cancelled && outcome.run.status !== "cancelled") throw new ApiError("RUN_FINISHED", `task ${id} already ${outcome.run.status}; it cannot be cancelled`, { i18n: { key: "api.task-finished", params: { id, status: outcome.run.status } } });
  if (outcome.cancelled) deps.onCancelled(run.id);
  return { status: 202, body: runDetail(outcome.run, await deps.store.load(run.id)) };
}

async function getArtifact(context: HandlerContext): Promise<Answer> {
  const { id, name } = context.input.params as z.infer<typeof ArtifactParams>;
  const run = await tenantRun(context, id);
  const artifact = run.result?.artifacts.find((a) => a.name === name);
  if (!artifact) throw new ApiError("NOT_FOUND", `task ${id} has no artifact ${name.slice(0, 128)}`, { i18n: { key: "api.no-artifact", params: { id, name: name.slice(0, 128) } } });
  return {
    status: 200,
    body: artifactBytes(artifact),
    type: artifact.mediaType,
    // Downloaded, never rendered on the API's origin.
    headers: { "Content-Disposition": `attachment; filename="${artifact.name}"`, "Cache-Control": "private, no-store" },
  };
}

export const taskHandlers: Readonly<Record<"submitTask" | "listTasks" | "getTask" | "cancelTask" | "getArtifact", Handler>> = {
  submitTask,
  listTasks,
  getTask,
  cancelTask,
  getArtifact,
};
