import type { z } from "zod";
import { canonicalHash, checkAnswer } from "../core/index.js";
import type { InputRequestRecord } from "../core/index.js";
import { answerRefusal } from "../store/index.js";
import type { Answer, Handler, HandlerContext } from "./handlers.js";
import { ApiError } from "./problem.js";
import type { InputBody, RunIdParams } from "./schemas.js";
import { tenantRun } from "./task-handlers.js";
import { descendantRun } from "./child-views.js";

/**
 * Answers a question a tool asked (`ctx.ask`). Checked in this order, nothing written on a
 * refusal: the run is the caller's tenant's (404), the step is an open question of a run
 * waiting for input (409), the answer fits the question's schema (400 with the path). The store
 * checks the step and the run again in the transaction that records the answer.
 */
async function answerTask(context: HandlerContext): Promise<Answer> {
  const { id } = context.input.params as z.infer<typeof RunIdParams>;
  const body = context.input.body as z.infer<typeof InputBody>;
  const { principal, deps } = context;
  // A question of a child run is answered through its parent (body.runId) or on the child itself.
  const run = await descendantRun(context, await tenantRun(context, id), body.runId);
  if (body.answer === undefined) throw new ApiError("INVALID_INPUT", "body.answer is required: the answer as JSON, matching the question's schema", { i18n: { key: "api.answer-required" } });
  const step = (await deps.store.load(run.id)).find((s) => s.key === body.step);
  const why = answerRefusal(run.status, step);
  if (why || !step) {
    const reason = why ?? "the run has no such step";
    throw new ApiError("INPUT_NOT_WAITING", `step ${body.step} of run ${run.id} is not waiting for an answer: ${reason}`, { i18n: { key: "api.input-not-waiting", params: { runId: run.id, stepKey: body.step } } });
  }
  const request = step.input as InputRequestRecord;
  const problem = checkAnswer(request.schema, body.answer);
  if (problem) {
    const path = problem.path.replace(/^\$/, "body.answer");
    throw new ApiError("INVALID_INPUT", `${path}: ${problem.message}; expected an answer matching the question's schema (questions[].schema of GET /v1/tasks/${run.id})`, {
      i18n: { key: "api.answer-invalid", params: { path, message: problem.message } },
    });
  }
  await deps.store.answerAudited(run.id, step.key, body.answer, {
    action: "input.answered",
    actor: principal.subject,
    tenant: principal.tenant,
    // The answer itself may be personal: the entry keeps its hash; the journal keeps the answer.
    details: { stepKey: step.key, tool: request.tool, answerHash: canonicalHash(body.answer) },
  });
  deps.onDecided(run.id);
  const after = await deps.store.get(run.id);
  return { status: 200, body: { runId: run.id, step: step.key, runStatus: after?.status ?? run.status } };
}

export const inputHandlers: Readonly<Record<"answerTask", Handler>> = { answerTask };
