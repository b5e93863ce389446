import type { z } from "zod";
import type { Run } from "../core/index.js";
import { CallbackUrlRefusedError, checkCallbackUrl, type CallbackUrlPolicy } from "../delivery/index.js";
import type { HandlerContext } from "./handlers.js";
import { ApiError } from "./problem.js";
import type { RunDetailSchema } from "./schemas.js";

type CallbackView = NonNullable<z.infer<typeof RunDetailSchema>["callback"]>;

/**
 * The callback URL of a submission, if the policy accepts it (https, no private IP literal unless
 * allowed). A host name is checked again on every delivery, against what it resolves to then.
 * @throws ApiError (INVALID_INPUT) saying what is wrong and what is expected; nothing is stored.
 */
export function acceptedCallbackUrl(value: string, policy: CallbackUrlPolicy): string {
  try {
    checkCallbackUrl(value, policy);
    return value;
  } catch (error) {
    if (error instanceof CallbackUrlRefusedError) throw new ApiError("INVALID_INPUT", `body: ${error.message}`, error.i18n ? { i18n: error.i18n } : {});
    throw error;
  }
}

/** What GET /v1/tasks/{id} shows of a run's webhook: waiting until the run finishes, then its delivery. */
export async function callbackOf(context: Pick<HandlerContext, "deps">, run: Run): Promise<CallbackView | undefined> {
  const url = run.task.callbackUrl;
  if (url === undefined) return undefined;
  const delivery = await context.deps.store.webhookDeliveries().deliveryOfRun(run.id);
  if (!delivery) return { url, status: "waiting", attempts: 0 };
  return { url, status: delivery.status, attempts: delivery.attempts, ...(delivery.lastError === undefined ? {} : { lastError: delivery.lastError }) };
}
