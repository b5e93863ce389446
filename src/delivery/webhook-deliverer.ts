import { randomUUID } from "node:crypto";
import type { ClaimedDelivery, DeliveryOutcome, DeliveryStore } from "../store/index.js";
import { CallbackUrlRefusedError, type CallbackUrlPolicy } from "./callback-url-policy.js";
import { postWebhook, type WebhookRequest, type WebhookResponse } from "./post-webhook.js";
import { webhookSignature } from "./webhook-signature.js";

/** Signing secrets: one per tenant, else the default; a tenant with neither gets no webhooks (its deliveries fail, saying so). */
export interface WebhookSecrets {
  readonly byTenant: Readonly<Record<string, string>>;
  readonly fallback: string | undefined;
}

export type DeliveryMetricOutcome = "delivered" | "retried" | "failed";

export interface WebhookDelivererOptions {
  readonly policy: CallbackUrlPolicy;
  readonly secrets: WebhookSecrets;
  /** Attempts in all, the first included; then the delivery is failed (and kept). */
  readonly maxAttempts: number;
  /** Per attempt: connect, send, and the whole answer. */
  readonly timeoutMs: number;
  /** Wait before the second attempt; doubled each time, up to `maxBackoffMs`, with equal jitter. Default 5 s. */
  readonly backoffMs?: number;
  /** Default one hour. */
  readonly maxBackoffMs?: number;
  /** How long a claim lasts: past it, another deliverer may send the delivery again. Default 2 × timeoutMs + 5 s. */
  readonly leaseMs?: number;
  /** How often due deliveries are looked for. Default 1 s. */
  readonly pollMs?: number;
  /** Deliveries claimed (and sent at once) per look. Default 8. */
  readonly batch?: number;
  readonly workerId?: string;
  /**
   * Reads the run (the store as the API reads it): a result kept out of its row (an artifact
   * store's reference) is read whole through it before it is sent.
   */
  readonly readRun?: (runId: string) => Promise<{ readonly result?: { readonly output: unknown } | undefined } | undefined>;
  /** Told of each attempt's recorded outcome; a promise it returns is awaited (an audit entry). */
  readonly onOutcome?: (outcome: DeliveryMetricOutcome, delivery: ClaimedDelivery, detail: string | undefined) => void | Promise<void>;
  readonly onError?: (error: unknown) => void;
  /** Test seams. */
  readonly random?: () => number;
  readonly send?: (request: WebhookRequest) => Promise<WebhookResponse>;
  readonly ca?: string | Buffer;
}

/**
 * Sends the webhook outbox: claims due deliveries (fenced, so two deliverers never send the same
 * attempt at once), POSTs each signed, and records the outcome; a failed attempt is retried with
 * exponential backoff and jitter until `maxAttempts`. A crash mid-send leaves the claim to expire
 * and the same delivery (same `Webhook-Id`) is sent again: at least once, never lost.
 */
export class WebhookDeliverer {
  readonly id: string;
  readonly #store: DeliveryStore;
  readonly #options: WebhookDelivererOptions;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<number> | undefined;
  #stopped = false;

  constructor(store: DeliveryStore, options: WebhookDelivererOptions) {
    this.#store = store;
    this.#options = options;
    this.id = options.workerId ?? `deliverer-${randomUUID()}`;
  }

  /** Looks for due deliveries every `pollMs` until `stop`. */
  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops looking and waits for the attempts in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pass?.catch(() => 0);
  }

  /** One look: claims the due deliveries, sends them, records each outcome; returns how many were attempted. */
  deliverDue(): Promise<number> {
    const pass = (this.#pass = this.#deliverDue());
    return pass;
  }

  async #deliverDue(): Promise<number> {
    const { timeoutMs, batch = 8 } = this.#options;
    // The claim outlives the attempt's timeout, so only a dead or stalled deliverer loses it.
    const leaseMs = this.#options.leaseMs ?? 2 * timeoutMs + 5_000;
    const claims = await this.#store.claimDeliveries({ workerId: this.id, leaseMs, limit: batch });
    await Promise.all(claims.map((claim) => this.#attempt(claim)));
    return claims.length;
  }

  async #attempt(claim: ClaimedDelivery): Promise<void> {
    const outcome = await this.#send(claim);
    const metric: DeliveryMetricOutcome = outcome.delivered ? "delivered" : outcome.retryAt ? "retried" : "failed";
    if (await this.#store.settleDelivery(claim, outcome)) await this.#options.onOutcome?.(metric, claim, outcome.delivered ? undefined : outcome.error);
  }

  async #send(claim: ClaimedDelivery): Promise<DeliveryOutcome> {
    const { secrets, policy, timeoutMs } = this.#options;
    const secret = secrets.byTenant[claim.tenant] ?? secrets.fallback;
    if (secret === undefined) return { delivered: false, error: `no webhook secret for tenant "${claim.tenant}": set CS_AGENTS_WEBHOOK_SECRET or CS_AGENTS_WEBHOOK_SECRETS`, retryAt: undefined };
    try {
      const body = await this.#body(claim);
      const timestamp = Math.floor(Date.now() / 1_000);
      const headers = { "webhook-id": claim.id, "webhook-timestamp": String(timestamp), "webhook-signature": webhookSignature(secret, timestamp, body) };
      const send = this.#options.send ?? postWebhook;
      const response = await send({ url: claim.url, body, headers, timeoutMs, policy, ca: this.#options.ca });
      if (response.status >= 200 && response.status < 300) return { delivered: true };
      return this.#failed(claim, `the receiver answered ${response.status}${response.bodyStart.trim() === "" ? "" : `: ${response.bodyStart.trim().slice(0, 200)}`}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // A refused address will be refused again: no retries.
      if (error instanceof CallbackUrlRefusedError) return { delivered: false, error: reason, retryAt: undefined };
      return this.#failed(claim, reason);
    }
  }

  #failed(claim: ClaimedDelivery, error: string): DeliveryOutcome {
    const { maxAttempts, backoffMs = 5_000, maxBackoffMs = 3_600_000, random = Math.random } = this.#options;
    if (claim.attempts >= maxAttempts) return { delivered: false, error: `${error} (attempt ${claim.attempts} of ${maxAttempts}: giving up)`, retryAt: undefined };
    const ceiling = Math.min(maxBackoffMs, backoffMs * 2 ** (claim.attempts - 1));
    // Equal jitter: half fixed, half random, so receivers coming back are not hit all at once.
    const waitMs = ceiling / 2 + random() * (ceiling / 2);
    return { delivered: false, error, retryAt: new Date(Date.now() + waitMs) };
  }

  /** The stored event with its result cut to `{ output }` (the run's files stay behind GET /v1/tasks/{id}) and empty fields left out. */
  async #body(claim: ClaimedDelivery): Promise<string> {
    const event = JSON.parse(claim.payload) as Record<string, unknown>;
    let result = event.result === null || typeof event.result !== "object" ? undefined : (event.result as { output?: unknown });
    // A value moved out of the row is a `{ "cs-agents/blob": … }` reference: read the run whole instead.
    if (result !== undefined && JSON.stringify(result).includes('"cs-agents/blob"')) result = (await this.#options.readRun?.(claim.runId))?.result ?? result;
    const { id, type, runId, status, error, finishedAt } = event;
    return JSON.stringify({ id, type, runId, status, ...(result ? { result: { output: result.output ?? null } } : {}), ...(error ? { error } : {}), finishedAt });
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.deliverDue()
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => this.#schedule());
    }, this.#options.pollMs ?? 1_000);
    this.#timer.unref();
  }
}
