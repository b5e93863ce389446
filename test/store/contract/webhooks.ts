import { describe, expect, it } from "vitest";
import type { ClaimedDelivery, DeliveryStore, ServiceStore, Store } from "../../../src/store/index.js";
import { claimOne, runId, SHORT_LEASE_MS, step, useFreshStore, waitForExpiry } from "./context.js";
import type { MakeStore } from "./context.js";

const HOOK = "https://hooks.example.com/cs-agents";

/** Both adapters are ServiceStores; the contract's fixture is typed by the narrower port. */
function outbox(store: Store): DeliveryStore {
  return (store as ServiceStore).webhookDeliveries();
}

async function submitWithHook(store: Store, n: number, callbackUrl: string | null = HOOK): Promise<string> {
  const { run } = await store.submit({ description: `task ${n}`, tenant: "acme", ...(callbackUrl ? { callbackUrl } : {}) }, { runId: runId(n) });
  return run.id;
}

async function claimDelivery(store: Store, workerId: string, leaseMs = 60_000): Promise<ClaimedDelivery | undefined> {
  return (await outbox(store).claimDeliveries({ workerId, leaseMs, limit: 10 }))[0];
}

/** The webhook outbox: one delivery per finished run with a callback URL, in the same commit; fenced claims. */
export function describeWebhookOutbox(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);

  describe("the final transition", () => {
    it("inserts <run id>:final with the outcome, in the commit that finishes the run (with its last steps)", async () => {
      await submitWithHook(store(), 1);
      const lease = await claimOne(store(), "w1");
      expect(await outbox(store()).deliveryOfRun(runId(1))).toBeUndefined();
      await store().transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: { total: 42 } } }, [step(lease, "subtask/a/done")]);
      const delivery = await outbox(store()).deliveryOfRun(runId(1));
      expect(delivery).toMatchObject({ id: `${runId(1)}:final`, runId: runId(1), tenant: "acme", url: HOOK, status: "pending", attempts: 0 });
      const payload = JSON.parse(delivery?.payload ?? "{}") as Record<string, unknown>;
      expect(payload).toMatchObject({ id: `${runId(1)}:final`, type: "run.finished", runId: runId(1), status: "succeeded", result: { output: { total: 42 } }, error: null });
      expect(new Date(String(payload.finishedAt)).toISOString()).toBe(payload.finishedAt);
    });

    it("records a failure's code and message", async () => {
      await submitWithHook(store(), 1);
      const lease = await claimOne(store(), "w1");
      await store().transition(lease, { status: "failed", error: { code: "BOOM", message: "it broke", i18n: { key: "x" } } });
      const payload = JSON.parse((await outbox(store()).deliveryOfRun(runId(1)))?.payload ?? "{}") as Record<string, unknown>;
      expect(payload).toMatchObject({ status: "failed", result: null, error: { code: "BOOM", message: "it broke" } });
    });

    it("inserts nothing for a task without a callback URL, or while the run is not final", async () => {
      await submitWithHook(store(), 1, null);
      await submitWithHook(store(), 2);
      const leases = await store().claim({ workerId: "w1", leaseMs: 60_000, limit: 2, maxCrashes: 3 });
      const a = leases.find((l) => l.runId === runId(1));
      const b = leases.find((l) => l.runId === runId(2));
      if (!a || !b) throw new Error("claimed too few");
      await store().transition(a, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: null } });
      await store().transition(b, { status: "waiting_approval" });
      expect(await outbox(store()).deliveryOfRun(runId(1))).toBeUndefined();
      expect(await outbox(store()).deliveryOfRun(runId(2))).toBeUndefined();
      expect(await claimDelivery(store(), "d1")).toBeUndefined();
    });

    it("inserts nothing when the fence refuses the final transition (a stale lease)", async () => {
      await submitWithHook(store(), 1);
      const stale = await claimOne(store(), "w1");
      await claimOne(store(), "w2", { runId: runId(1) });
      await expect(store().transition(stale, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: null } })).rejects.toMatchObject({ code: "LEASE_LOST" });
      expect(await outbox(store()).deliveryOfRun(runId(1))).toBeUndefined();
    });

    it("inserts one for a run cancelled through the service", async () => {
      await submitWithHook(store(), 1);
      await (store() as ServiceStore).cancel(runId(1), { action: "task.cancelled", actor: "alice", tenant: "acme", details: {} });
      const delivery = await outbox(store()).deliveryOfRun(runId(1));
      expect(JSON.parse(delivery?.payload ?? "{}")).toMatchObject({ status: "cancelled", error: { code: "CANCELLED" } });
    });
  });

  describe("claims", () => {
    async function finishedWithHook(): Promise<void> {
      await submitWithHook(store(), 1);
      const lease = await claimOne(store(), "w1");
      await store().transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: null } });
    }

    it("hands a due delivery to one deliverer at a time, counting the attempt", async () => {
      await finishedWithHook();
      const claim = await claimDelivery(store(), "d1");
      expect(claim).toMatchObject({ id: `${runId(1)}:final`, attempts: 1, workerId: "d1" });
      expect(await claimDelivery(store(), "d2")).toBeUndefined();
    });

    it("holds a retry back until it is due", async () => {
      await finishedWithHook();
      const first = await claimDelivery(store(), "d1");
      if (!first) throw new Error("nothing claimed");
      expect(await outbox(store()).settleDelivery(first, { delivered: false, error: "the receiver answered 500", retryAt: new Date(Date.now() + 60_000) })).toBe(true);
      expect(await outbox(store()).deliveryOfRun(runId(1))).toMatchObject({ status: "pending", attempts: 1, lastError: "the receiver answered 500" });
      expect(await claimDelivery(store(), "d2")).toBeUndefined();
    });

    it("claims a due retry again, with the next attempt counted and a newer epoch", async () => {
      await finishedWithHook();
      const first = await claimDelivery(store(), "d1");
      if (!first) throw new Error("nothing claimed");
      await outbox(store()).settleDelivery(first, { delivered: false, error: "the receiver answered 500", retryAt: new Date(Date.now() - 1_000) });
      const second = await claimDelivery(store(), "d2");
      expect(second).toMatchObject({ id: first.id, attempts: 2, workerId: "d2", epoch: first.epoch + 1 });
      // The first claim's outcome is spent: a second write with it is refused.
      expect(await outbox(store()).settleDelivery(first, { delivered: true })).toBe(false);
    });

    it("keeps a delivered one out of every later claim", async () => {
      await finishedWithHook();
      const claim = await claimDelivery(store(), "d1");
      if (!claim) throw new Error("nothing claimed");
      expect(await outbox(store()).settleDelivery(claim, { delivered: true })).toBe(true);
      expect(await outbox(store()).deliveryOfRun(runId(1))).toMatchObject({ status: "delivered", attempts: 1 });
      expect((await outbox(store()).deliveryOfRun(runId(1)))?.deliveredAt).toBeInstanceOf(Date);
      expect(await claimDelivery(store(), "d2")).toBeUndefined();
    });

    it("keeps a failed one, with its last error, and never claims it again", async () => {
      await finishedWithHook();
      const claim = await claimDelivery(store(), "d1");
      if (!claim) throw new Error("nothing claimed");
      await outbox(store()).settleDelivery(claim, { delivered: false, error: "gave up", retryAt: undefined });
      expect(await outbox(store()).deliveryOfRun(runId(1))).toMatchObject({ status: "failed", attempts: 1, lastError: "gave up" });
      expect(await claimDelivery(store(), "d2")).toBeUndefined();
    });

    it("gives an expired claim to another deliverer, and refuses the first one's outcome", async () => {
      await finishedWithHook();
      const first = await claimDelivery(store(), "d1", SHORT_LEASE_MS);
      if (!first) throw new Error("nothing claimed");
      await waitForExpiry();
      const second = await claimDelivery(store(), "d2");
      expect(second).toMatchObject({ id: first.id, attempts: 2, epoch: first.epoch + 1 });
      expect(await outbox(store()).settleDelivery(first, { delivered: true })).toBe(false);
      expect(await outbox(store()).deliveryOfRun(runId(1))).toMatchObject({ status: "pending" });
      if (!second) throw new Error("nothing claimed");
      expect(await outbox(store()).settleDelivery(second, { delivered: true })).toBe(true);
    });
  });
}
