import { createAgentRegistry, createRulesModel, defineAgent } from "../../src/agents/index.js";
import type { Plan } from "../../src/core/index.js";
import { createFencedLedger, createPayTool, type FencedLedger, type Payment } from "../../src/demo/payments/index.js";
import { createEngine, createMemoryJournal, type Engine } from "../../src/engine/index.js";
import type { Planner } from "../../src/planner/index.js";
import { createToolRegistry, ToolExecutor, type FencingToken, type Tool, type ToolContext } from "../../src/tools/index.js";

/** The one non-idempotent call of a payment run. */
export const PAY_STEP = "subtask/pay/call/0";
export const PAYMENT = { payee: "ACME", amountCents: 12_500 };

export interface LedgerCall {
  readonly token: FencingToken;
  /** paid: a new payment; repeat: the key was paid already; refused: a stale epoch. */
  readonly outcome: "paid" | "repeat" | "refused";
}

/** The demo's fenced ledger, logging every call that reached it, refused or not. */
export function loggedLedger(): FencedLedger & { readonly calls: LedgerCall[] } {
  const ledger = createFencedLedger();
  const calls: LedgerCall[] = [];
  return {
    calls,
    payments: () => ledger.payments(),
    pay(token, payment): Payment {
      const before = ledger.payments().length;
      try {
        const paid = ledger.pay(token, payment);
        calls.push({ token, outcome: ledger.payments().length > before ? "paid" : "repeat" });
        return paid;
      } catch (error) {
        calls.push({ token, outcome: "refused" });
        throw error;
      }
    },
  };
}

/** Where a test may stop a worker inside the payment call: before the ledger sees it, or after. */
export interface PayHooks {
  readonly beforeLedger?: (context: ToolContext) => Promise<void>;
  readonly afterLedger?: (context: ToolContext) => Promise<void>;
}

const plan: Plan = {
  source: "test",
  language: "en",
  params: {},
  subtasks: [{ id: "pay", title: "pay ACME", agent: "payer", instructions: "", dependsOn: [], tool: "payments.pay", input: PAYMENT }],
};

const planner: Planner = { deterministic: true, plan: () => Promise.resolve(plan), decompose: () => Promise.resolve([...plan.subtasks]) };

/**
 * An engine whose runs make one payment (`payments.pay`, not idempotent, fenced) into `ledger`.
 * Each worker gets its own engine, as separate processes would, over the one ledger.
 */
export function paymentEngine(ledger: FencedLedger, hooks: PayHooks = {}): Engine {
  const pay = createPayTool(ledger);
  const hooked: Tool = {
    ...pay,
    handler: async (input, context) => {
      await hooks.beforeLedger?.(context);
      const output = await pay.handler(input, context);
      await hooks.afterLedger?.(context);
      return output;
    },
  };
  const payer = defineAgent({ name: "payer", role: "pays invoices", instructions: "", tools: ["payments.pay"] });
  const tools = createToolRegistry([hooked]);
  return createEngine({
    planner,
    agents: createAgentRegistry([payer]),
    tools,
    executor: new ToolExecutor({ registry: tools }),
    model: createRulesModel(),
    journal: createMemoryJournal(),
  });
}
