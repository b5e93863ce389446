import { describe, expect, it } from "vitest";
import { createFencedLedger, createPayTool } from "../../src/demo/payments/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { createToolRegistry, ToolExecutor } from "../../src/tools/index.js";

const CALL = "subtask/pay/call/0";
const payment = { payee: "ACME", amountCents: 12_500 };

describe("the demo's fenced payment ledger", () => {
  it("pays once per key and refuses a lower epoch for that key", () => {
    const ledger = createFencedLedger();
    expect(ledger.pay({ epoch: 3, key: "r1/x" }, payment)).toMatchObject({ epoch: 3 });
    expect(() => ledger.pay({ epoch: 1, key: "r1/x" }, payment)).toThrow(expect.objectContaining({ code: "STALE_EPOCH" }));
    expect(ledger.pay({ epoch: 4, key: "r1/x" }, payment)).toMatchObject({ epoch: 3 });
    expect(ledger.pay({ epoch: 1, key: "r1/y" }, payment)).toMatchObject({ epoch: 1 });
    expect(ledger.payments()).toHaveLength(2);
  });

  it("turns away the stale holder of a run an operator retried: exactly one payment", async () => {
    const store = SqliteStore.open(":memory:");
    try {
      const ledger = createFencedLedger();
      const pay = createPayTool(ledger);
      const executor = new ToolExecutor({ registry: createToolRegistry([pay]) });
      const { run } = await store.submit({ description: "pay ACME" }, { runId: "r1" });
      // A records the intent, then its database replies are held up past its lease.
      const [a] = await store.claim({ workerId: "a", leaseMs: 50, limit: 1, maxCrashes: 5 });
      if (!a) throw new Error("no claim");
      await store.record(a, { runId: run.id, key: CALL, kind: "tool_call", status: "started", input: { tool: "payments.pay", input: payment }, startedAt: new Date() });
      await new Promise((resolve) => setTimeout(resolve, 80));
      // B reclaims, finds the intent, the operator retries, the next holder pays.
      const [b] = await store.claim({ workerId: "b", leaseMs: 60_000, limit: 1, maxCrashes: 5 });
      if (!b) throw new Error("no reclaim");
      await store.record(b, { runId: run.id, key: CALL, kind: "tool_call", status: "ambiguous", input: { tool: "payments.pay", input: payment }, startedAt: new Date() });
      await store.transition(b, { status: "waiting_approval" });
      await store.decide(run.id, CALL, { action: "retry" });
      const [c] = await store.claim({ workerId: "b", leaseMs: 60_000, limit: 1, maxCrashes: 5 });
      if (!c) throw new Error("no claim after the decision");
      const paid = await executor.run({ tool: "payments.pay", input: payment }, { runId: run.id, stepKey: CALL, epoch: c.epoch });
      expect(paid.status).toBe("success");
      // The partition heals and A makes the call it had decided on.
      const late = await executor.run({ tool: "payments.pay", input: payment }, { runId: run.id, stepKey: CALL, epoch: a.epoch });
      expect(late).toMatchObject({ status: "failed", error: { code: "STALE_EPOCH" } });
      expect(ledger.payments()).toEqual([{ key: `r1/${CALL}`, epoch: c.epoch, ...payment }]);
    } finally {
      await store.close();
    }
  });

  it("refuses to pay without a fencing token", async () => {
    const executor = new ToolExecutor({ registry: createToolRegistry([createPayTool(createFencedLedger())]) });
    expect(await executor.run({ tool: "payments.pay", input: payment }, { runId: "r1", stepKey: CALL })).toMatchObject({ status: "failed", error: { code: "FENCING_REQUIRED" } });
  });
});
