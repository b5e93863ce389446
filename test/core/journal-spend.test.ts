import { describe, expect, it } from "vitest";
import { journalSpend } from "../../src/core/index.js";
import type { Step } from "../../src/core/index.js";

const at = new Date(0);
const step = (key: string, fields: Partial<Step>): Step => ({ runId: "r1", key, kind: "tool_call", status: "succeeded", startedAt: at, ...fields });
const usage = (input: number, output: number, cached?: number) => ({ inputTokens: input, outputTokens: output, totalTokens: input + output, ...(cached ? { cachedInputTokens: cached } : {}) });

const JOURNAL: readonly Step[] = [
  step("plan", { kind: "plan", output: { source: "llm:planner-m+repair", usage: usage(100, 50, 40) } }),
  step("subtask/a/model/0", { kind: "model_call", input: { model: "agent-m" }, output: { usage: usage(10, 5) } }),
  step("subtask/a/call/0", { kind: "tool_call" }),
  // A failed decision and a started call: the decision brought no usage record, the call counts.
  step("subtask/a/model/1", { kind: "model_call", status: "failed", input: { model: "agent-m" }, output: { usage: usage(999, 999) } }),
  step("subtask/a/call/1", { kind: "tool_call", status: "started" }),
  step("subtask/b/child/0", { kind: "child", output: { runId: "c1", spent: { toolCalls: 3, tokens: 70, cost: 0.5 } } }),
];

describe("journalSpend", () => {
  it("counts tool calls, the plan's and decisions' tokens and requests, and finished children's spend", () => {
    expect(journalSpend(JOURNAL)).toEqual({ toolCalls: 5, modelRequests: 2, tokens: { inputTokens: 110, outputTokens: 55, totalTokens: 235, cachedInputTokens: 40 }, cost: 0.5 });
  });

  it("prices each request by the model that made it, and leaves tool calls to a replay that counts them", () => {
    const priced: string[] = [];
    const spent = journalSpend(JOURNAL, { countToolCalls: false, price: (model, u) => (priced.push(model), u.totalTokens / 1_000) });
    expect(priced).toEqual(["planner-m", "agent-m"]);
    expect(spent.toolCalls).toBe(3);
    expect(spent.cost).toBeCloseTo(0.15 + 0.015 + 0.5);
  });
});
