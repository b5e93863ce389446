import type { Config } from "../config.js";
import type { ServiceStore } from "../store/index.js";
import type { CallbackUrlPolicy } from "./callback-url-policy.js";
import { WebhookDeliverer, type WebhookDelivererOptions } from "./webhook-deliverer.js";

type WebhookConfig = Pick<
  Config,
  "CS_AGENTS_WEBHOOK_SECRET" | "CS_AGENTS_WEBHOOK_SECRETS" | "CS_AGENTS_WEBHOOK_ALLOW_HTTP" | "CS_AGENTS_WEBHOOK_ALLOW_PRIVATE" | "CS_AGENTS_WEBHOOK_MAX_ATTEMPTS" | "CS_AGENTS_WEBHOOK_TIMEOUT_MS"
>;

/** The callback URL policy the settings give (the API checks submissions with it, the deliverer each attempt). */
export function callbackUrlPolicyOf(config: Pick<Config, "CS_AGENTS_WEBHOOK_ALLOW_HTTP" | "CS_AGENTS_WEBHOOK_ALLOW_PRIVATE">): CallbackUrlPolicy {
  return { allowHttp: config.CS_AGENTS_WEBHOOK_ALLOW_HTTP, allowPrivate: config.CS_AGENTS_WEBHOOK_ALLOW_PRIVATE };
}

/**
 * The deliverer `serve` (with workers) and `worker` run beside their workers, on the same store:
 * every replica may run one; the outbox's claims keep them from sending the same attempt twice.
 * A delivery's end (delivered, or failed for good) goes into the audit log.
 */
export function delivererFromConfig(
  config: WebhookConfig,
  store: ServiceStore,
  hooks: Pick<WebhookDelivererOptions, "onOutcome" | "onError"> = {},
): WebhookDeliverer {
  return new WebhookDeliverer(store.webhookDeliveries(), {
    policy: callbackUrlPolicyOf(config),
    secrets: { byTenant: config.CS_AGENTS_WEBHOOK_SECRETS, fallback: config.CS_AGENTS_WEBHOOK_SECRET === "" ? undefined : config.CS_AGENTS_WEBHOOK_SECRET },
    maxAttempts: config.CS_AGENTS_WEBHOOK_MAX_ATTEMPTS,
    timeoutMs: config.CS_AGENTS_WEBHOOK_TIMEOUT_MS,
    readRun: (runId) => store.get(runId),
    onOutcome: async (outcome, delivery, detail) => {
      await hooks.onOutcome?.(outcome, delivery, detail);
      if (outcome === "retried") return;
      const details = { deliveryId: delivery.id, url: delivery.url, attempts: delivery.attempts, ...(detail === undefined ? {} : { error: detail }) };
      await store.appendAudit({ action: `webhook.${outcome}`, actor: "system", tenant: delivery.tenant, target: delivery.runId, details }).catch((error: unknown) => hooks.onError?.(error));
    },
    ...(hooks.onError ? { onError: hooks.onError } : {}),
  });
}
