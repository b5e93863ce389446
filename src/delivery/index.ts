export { CallbackUrlRefusedError, checkAddress, checkCallbackUrl, isPublicAddress, type CallbackUrlPolicy } from "./callback-url-policy.js";
export { postWebhook, type WebhookRequest, type WebhookResponse } from "./post-webhook.js";
export { verifyWebhookSignature, webhookSignature } from "./webhook-signature.js";
export { WebhookDeliverer, type DeliveryMetricOutcome, type WebhookDelivererOptions, type WebhookSecrets } from "./webhook-deliverer.js";
export { callbackUrlPolicyOf, delivererFromConfig } from "./deliverer-from-config.js";
