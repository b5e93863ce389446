import { describe, expect, it } from "vitest";
import type { AgentModel } from "../../src/agents/index.js";
import { createMemoryJournal, type Engine } from "../../src/engine/index.js";
import { createRunAccounting } from "../../src/llm/index.js";

/** A parent's journal with one finished child run that spent 5 tool calls and 100 tokens (its own children included). */
async function parentJournal() {
  const journal = createMemoryJournal();
  await journal.record({ runId: "parent", key: "subtask/kid/child/0", kind: "child", status: "succeeded", output: { runId: "kid-1", status: "succeeded", spent: { toolCalls: 5, tokens: 100 } }, startedAt: new Date(), finishedAt: new Date() });
  return journal;
}

const callingModel: AgentModel = { name: "fake", deterministic: false, decide: () => Promise.resolve({ type: "call", tool: "t", input: {} }) };
const context = {} as Parameters<AgentModel["decide"]>[0];

describe("budgets shared with child runs", () => {
  it("counts a finished child's tool calls and tokens toward its parent's budget", async () => {
    const accounting = createRunAccounting({ maxTokens: 0, maxToolCalls: 6, maxMs: 0 });
    const model = accounting.model(callingModel);
    let second: unknown;
    const inner: Engine = {
      execute: async () => {
        await model.decide(context); // the parent's 1st own call: 6 with the child's 5, at the budget
        second = await model.decide(context).catch((error: unknown) => error); // the 7th: over it
        return { status: "failed", plan: undefined, error: { code: "X", message: "x" } };
      },
    };
    const journal = await parentJournal();
    await accounting.engine(inner, { journal }).execute({ runId: "parent", task: { description: "parent" } });
    expect(second).toMatchObject({ code: "BUDGET_EXCEEDED", limit: "tool_calls" });
    expect(accounting.run("parent")).toMatchObject({ toolCalls: 7, tokens: { totalTokens: 100 } });
  });
});
