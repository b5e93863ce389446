import type { z } from "zod";
import { canonicalHash, checkAnswer, CsAgentsError, newTraceparent, parseTask, TRACEPARENT } from "../core/index.js";
import type { Run, Step } from "../core/index.js";
import { forkOutputProblem, forkTask, planFork } from "../store/index.js";
import type { ForkOutputKind } from "../store/index.js";
import type { Answer, Handler, HandlerContext } from "./handlers.js";
import { ApiError } from "./problem.js";
import { runDetail } from "./run-view.js";
import type { ForkBody, RunIdParams } from "./schemas.js";
import { tenantRun } from "./task-handlers.js";

type Body = z.infer<typeof ForkBody>;

/**
 * Forks a run from one of its steps: a new run (a submission like any other: idempotency key,
 * the tenant's cap, the audit entry `task.forked`) whose journal starts with the parent's steps
 * recorded before that step. Checked in this order, nothing written on a refusal: the run is
 * the caller's tenant's (404), the step is in its journal (400 naming its steps), the output
 * fits the step (400), the new input is a task's (400). A parent still running can be forked
 * from the steps it has recorded so far; the parent itself is never changed.
 */
async function forkTaskHandler(context: HandlerContext): Promise<Answer> {
  const { id } = context.input.params as z.infer<typeof RunIdParams>;
  const body = context.input.body as Body;
  const { principal, deps, options } = context;
  const parent = await tenantRun(context, id);
  const key = idempotencyKeyOf(context, body);
  const hasOutput = Object.hasOwn(body, "output") && body.output !== undefined;
  const steps = await deps.store.load(parent.id);
  const plan = asBadRequest(() => planFork(parent.id, steps, body.step, hasOutput));
  if (plan.replaced) checkOutput(context, plan.replaced.kind, steps.find((s) => s.key === body.step), body.output);
  const incoming = context.caller.traceparent?.trim();
  const traceparent = incoming !== undefined && TRACEPARENT.test(incoming) ? incoming : newTraceparent();
  const task = asBadRequest(() => parseTask(forkTask(parent.task, { ...(body.input ? { input: body.input } : {}), ...(key ? { idempotencyKey: key } : {}), traceparent })));
  const requestHash = canonicalHash({ parent: parent.id, step: body.step, ...(hasOutput ? { output: body.output } : {}), ...(body.input ? { input: body.input } : {}) });
  const busy = context.submissionsInFlight;
  const slot = key === undefined ? undefined : `${principal.tenant}\n${key}`;
  if (slot !== undefined && busy.has(slot)) throw new ApiError("IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is still being processed; retry shortly", { i18n: { key: "api.idempotency-in-progress" } });
  if (slot !== undefined) busy.add(slot);
  try {
    const submission = await deps.store.forkAudited(
      { parentId: parent.id, stepKey: body.step, task, ...(hasOutput ? { output: { value: body.output } } : {}) },
      { runId: deps.newRunId(), requestHash, submittedBy: principal.subject, ...(options.maxActiveRunsPerTenant > 0 ? { maxActiveRuns: options.maxActiveRunsPerTenant } : {}) },
      { action: "task.forked", actor: principal.subject, tenant: principal.tenant, details: { requestHash, parent: parent.id, step: body.step, outputReplaced: hasOutput, inputReplaced: body.input !== undefined, ...(key ? { idempotencyKey: key } : {}) } },
    );
    if (!submission.created && submission.requestHash !== null && submission.requestHash !== requestHash) {
      throw new ApiError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different body; use a new key for a new fork", { i18n: { key: "api.idempotency-key-reused" } });
    }
    const headers: Record<string, string> = { Location: `/v1/tasks/${submission.run.id}` };
    if (submission.created) {
      context.metrics.inc("cs_agents_runs_submitted_total");
      deps.onSubmitted(submission.run.id);
    } else headers["Idempotent-Replayed"] = "true";
    return { status: 202, body: await forkView(context, submission.run), headers };
  } finally {
    if (slot !== undefined) busy.delete(slot);
  }
}

async function forkView(context: HandlerContext, run: Run) {
  const [steps, links] = await Promise.all([context.deps.store.load(run.id), context.deps.store.forkLinks(run.id)]);
  return runDetail(run, steps, { links });
}

/** The header's key, or the body's; both must then agree. */
function idempotencyKeyOf(context: HandlerContext, body: Body): string | undefined {
  const header = context.idempotencyKey;
  if (header !== undefined && body.idempotencyKey !== undefined && header !== body.idempotencyKey) {
    throw new ApiError("INVALID_INPUT", "body.idempotencyKey and the Idempotency-Key header differ; send one of them, or the same key in both");
  }
  const key = header ?? body.idempotencyKey;
  if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) throw new ApiError("INVALID_INPUT", "body.idempotencyKey must be 1-200 visible ASCII characters");
  return key;
}

/** The replacement must be what the engine could have recorded there (`forkOutputProblem`). */
function checkOutput(context: HandlerContext, kind: ForkOutputKind, step: Step | undefined, output: unknown): void {
  const problem = forkOutputProblem(kind, step, output, {
    agents: new Set(context.deps.catalog.agents.map((a) => a.name)),
    toolOutput: (tool, value) => {
      const schema = context.deps.catalog.tools.find((t) => t.name === tool)?.output;
      const found = schema ? checkAnswer(schema, value) : undefined;
      return found ? `${found.path}: ${found.message}` : undefined;
    },
  });
  if (problem) throw new ApiError("INVALID_INPUT", `body.output: ${problem}`);
}

/** An invalid fork request from the rules both stores share, as a 400. */
function asBadRequest<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof CsAgentsError && error.code === "INVALID_INPUT") throw new ApiError("INVALID_INPUT", error.message, { cause: error });
    throw error;
  }
}

export const forkHandlers: Readonly<Record<"forkTask", Handler>> = { forkTask: forkTaskHandler };
