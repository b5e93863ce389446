import { afterEach, describe, expect, it } from "vitest";
import { WebhookDeliverer, type DeliveryMetricOutcome, type WebhookDelivererOptions } from "../../src/delivery/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { startReceiver } from "./receiver.js";

const SECRET = "whsec_test_0123456789abcdef";
const OPEN = { allowHttp: true, allowPrivate: true };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.reverse()) await close();
  cleanup = [];
});

/** A store with one run of tenant acme that finished (succeeded, output `{ total: 42 }`) with `callbackUrl`. */
async function finishedRun(callbackUrl: string, status: "succeeded" | "failed" = "succeeded"): Promise<SqliteStore> {
  const store = SqliteStore.open(":memory:");
  cleanup.push(() => store.close());
  await store.submit({ description: "生成季度财务报告", tenant: "acme", callbackUrl }, { runId: "run-1" });
  const [lease] = await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
  if (!lease) throw new Error("nothing claimed");
  if (status === "succeeded") await store.transition(lease, { status, result: { subtasks: {}, artifacts: [], output: { total: 42 } } });
  else await store.transition(lease, { status, error: { code: "BOOM", message: "the ledger was unreadable" } });
  return store;
}

function deliverer(store: SqliteStore, options: Partial<WebhookDelivererOptions> = {}, outcomes: DeliveryMetricOutcome[] = []): WebhookDeliverer {
  return new WebhookDeliverer(store.webhookDeliveries(), {
    policy: OPEN,
    secrets: { byTenant: {}, fallback: SECRET },
    maxAttempts: 3,
    timeoutMs: 5_000,
    backoffMs: 1,
    maxBackoffMs: 1,
    onOutcome: (outcome) => {
      outcomes.push(outcome);
    },
    ...options,
  });
}

/** Looks until the delivery settles (a retry is due 1 ms after its failure). */
async function deliverUntilSettled(store: SqliteStore, d: WebhookDeliverer): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await d.deliverDue();
    if ((await store.webhookDeliveries().deliveryOfRun("run-1"))?.status !== "pending") return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("WebhookDeliverer", () => {
  it("POSTs the run's outcome once, signed so that the receiver's check passes, and marks it delivered", async () => {
    const receiver = await startReceiver(SECRET);
    cleanup.push(receiver.close);
    const store = await finishedRun(receiver.url);
    const outcomes: DeliveryMetricOutcome[] = [];
    expect(await deliverer(store, {}, outcomes).deliverDue()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request?.verified).toBe(true);
    expect(request?.id).toBe("run-1:final");
    expect(request?.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    const body = JSON.parse(request?.body ?? "{}") as Record<string, unknown>;
    expect(body).toEqual({ id: "run-1:final", type: "run.finished", runId: "run-1", status: "succeeded", result: { output: { total: 42 } }, finishedAt: expect.any(String) });
    expect(await store.webhookDeliveries().deliveryOfRun("run-1")).toMatchObject({ status: "delivered", attempts: 1 });
    expect(outcomes).toEqual(["delivered"]);
    // Delivered is final: nothing is sent again.
    expect(await deliverer(store).deliverDue()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it("sends a failed run's error, and a receiver holding another secret rejects the signature", async () => {
    const receiver = await startReceiver("whsec_someone_else_entirely");
    cleanup.push(receiver.close);
    const store = await finishedRun(receiver.url, "failed");
    await deliverer(store).deliverDue();
    expect(receiver.received[0]?.verified).toBe(false);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({ status: "failed", error: { code: "BOOM", message: "the ledger was unreadable" } });
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).not.toHaveProperty("result");
  });

  it("signs with the tenant's own secret when it has one", async () => {
    const receiver = await startReceiver("whsec_acme_own_secret_01");
    cleanup.push(receiver.close);
    const store = await finishedRun(receiver.url);
    await deliverer(store, { secrets: { byTenant: { acme: "whsec_acme_own_secret_01" }, fallback: SECRET } }).deliverDue();
    expect(receiver.received[0]?.verified).toBe(true);
  });

  it("retries after a 500 with the same Webhook-Id, then is delivered", async () => {
    const receiver = await startReceiver(SECRET, [500, 503]);
    cleanup.push(receiver.close);
    const store = await finishedRun(receiver.url);
    const outcomes: DeliveryMetricOutcome[] = [];
    await deliverUntilSettled(store, deliverer(store, {}, outcomes));
    expect(receiver.received.map((r) => r.id)).toEqual(["run-1:final", "run-1:final", "run-1:final"]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(outcomes).toEqual(["retried", "retried", "delivered"]);
    const delivery = await store.webhookDeliveries().deliveryOfRun("run-1");
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3 });
    expect(delivery?.lastError).toBeUndefined();
  });

  it("gives up after the last attempt and keeps the delivery as failed, with the receiver's answer", async () => {
    const receiver = await startReceiver(SECRET, [500, 500, 500, 500]);
    cleanup.push(receiver.close);
    const store = await finishedRun(receiver.url);
    const outcomes: DeliveryMetricOutcome[] = [];
    await deliverUntilSettled(store, deliverer(store, { maxAttempts: 2 }, outcomes));
    expect(receiver.received).toHaveLength(2);
    expect(outcomes).toEqual(["retried", "failed"]);
    const delivery = await store.webhookDeliveries().deliveryOfRun("run-1");
    expect(delivery).toMatchObject({ status: "failed", attempts: 2 });
    expect(delivery?.lastError).toMatch(/the receiver answered 500: receiver is down \(attempt 2 of 2: giving up\)/);
  });

  it("connects to a host name through the checked lookup when its addresses are allowed", async () => {
    const receiver = await startReceiver(SECRET);
    cleanup.push(receiver.close);
    const store = await finishedRun(`http://localhost:${receiver.port}/hooks`);
    const outcomes: DeliveryMetricOutcome[] = [];
    await deliverer(store, {}, outcomes).deliverDue();
    // localhost may resolve to ::1 first, where nothing listens: that is a retry, not a refusal.
    if (outcomes[0] === "retried") await deliverUntilSettled(store, deliverer(store, {}, outcomes));
    expect(receiver.received[0]?.verified).toBe(true);
    expect(await store.webhookDeliveries().deliveryOfRun("run-1")).toMatchObject({ status: "delivered" });
  });

  it("refuses a host name that resolves to loopback when private addresses are not allowed: failed at once, nothing sent", async () => {
    const receiver = await startReceiver(SECRET);
    cleanup.push(receiver.close);
    const store = await finishedRun(`http://localhost:${receiver.port}/hooks`);
    const outcomes: DeliveryMetricOutcome[] = [];
    await deliverer(store, { policy: { allowHttp: true, allowPrivate: false } }, outcomes).deliverDue();
    expect(receiver.received).toHaveLength(0);
    expect(outcomes).toEqual(["failed"]);
    const delivery = await store.webhookDeliveries().deliveryOfRun("run-1");
    expect(delivery).toMatchObject({ status: "failed", attempts: 1 });
    expect(delivery?.lastError).toMatch(/^callbackUrl localhost resolves to (127\.0\.0\.1|::1), which is private, loopback, link-local or reserved; allowed only with CS_AGENTS_WEBHOOK_ALLOW_PRIVATE=true$/);
  });

  it("refuses, at delivery, a literal private address or plain http the settings no longer allow", async () => {
    const receiver = await startReceiver(SECRET);
    cleanup.push(receiver.close);
    const store = await finishedRun(receiver.url);
    await deliverer(store, { policy: { allowHttp: true, allowPrivate: false } }).deliverDue();
    expect(receiver.received).toHaveLength(0);
    expect((await store.webhookDeliveries().deliveryOfRun("run-1"))?.lastError).toMatch(/address 127\.0\.0\.1 is private/);
  });

  it("fails a tenant's delivery without a secret, saying which setting is missing", async () => {
    const receiver = await startReceiver(SECRET);
    cleanup.push(receiver.close);
    const store = await finishedRun(receiver.url);
    await deliverer(store, { secrets: { byTenant: {}, fallback: undefined } }).deliverDue();
    expect(receiver.received).toHaveLength(0);
    expect((await store.webhookDeliveries().deliveryOfRun("run-1"))?.lastError).toBe('no webhook secret for tenant "acme": set CS_AGENTS_WEBHOOK_SECRET or CS_AGENTS_WEBHOOK_SECRETS');
  });

  it("counts a receiver that does not answer in time as a failed attempt, to retry", async () => {
    const receiver = await startReceiver(SECRET, ["hold"]);
    cleanup.push(receiver.close);
    const store = await finishedRun(receiver.url);
    const outcomes: DeliveryMetricOutcome[] = [];
    await deliverer(store, { timeoutMs: 200, backoffMs: 60_000, maxBackoffMs: 60_000 }, outcomes).deliverDue();
    expect(outcomes).toEqual(["retried"]);
    expect(await store.webhookDeliveries().deliveryOfRun("run-1")).toMatchObject({ status: "pending", attempts: 1, lastError: "no answer within 200 ms" });
  });
});
