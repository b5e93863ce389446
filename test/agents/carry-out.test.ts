import { describe, expect, it, vi } from "vitest";
import { carryOut, createRulesModel, defineAgent, type Decision } from "../../src/agents/index.js";
import type { Subtask } from "../../src/core/index.js";

const subtask: Subtask = { id: "s", title: "s", agent: "a", instructions: "", dependsOn: [], tool: "allowed", input: { x: 1 } };
const ok = { status: "success" as const, output: { y: 2 }, attempts: 1, durationMs: 1 };

function agentWith(rules: () => Decision, maxSteps = 3) {
  return defineAgent({ name: "a", role: "r", instructions: "", tools: ["allowed"], rules, maxSteps });
}

describe("carryOut", () => {
  it("calls the suggested tool once and finishes with its output by default", async () => {
    const callTool = vi.fn().mockResolvedValue(ok);
    const agent = defineAgent({ name: "a", role: "r", instructions: "", tools: ["allowed"] });
    const outcome = await carryOut({ agent, subtask, language: "en", dependencies: {}, model: createRulesModel(), callTool });
    expect(callTool).toHaveBeenCalledWith("allowed", { x: 1 }, 0);
    expect(outcome).toEqual({ status: "succeeded", output: { y: 2 }, artifacts: [], calls: 1 });
  });

  it("refuses a tool outside the agent's list without calling it, and shows the model the refusal", async () => {
    const callTool = vi.fn().mockResolvedValue(ok);
    let seen: unknown;
    const agent = defineAgent({
      name: "a",
      role: "r",
      instructions: "",
      tools: ["allowed"],
      rules: ({ history }) => {
        if (history.length === 0) return { type: "call", tool: "forbidden", input: {} };
        seen = history[0]?.result;
        return { type: "finish", output: null };
      },
    });
    await carryOut({ agent, subtask, language: "en", dependencies: {}, model: createRulesModel(), callTool });
    expect(callTool).not.toHaveBeenCalled();
    expect(seen).toMatchObject({ status: "failed", error: { code: "TOOL_NOT_ALLOWED" } });
  });

  it("fails the subtask when the agent exceeds its step budget", async () => {
    const callTool = vi.fn().mockResolvedValue(ok);
    const agent = agentWith(() => ({ type: "call", tool: "allowed", input: {} }), 3);
    const outcome = await carryOut({ agent, subtask, language: "en", dependencies: {}, model: createRulesModel(), callTool });
    expect(callTool).toHaveBeenCalledTimes(3);
    expect(outcome).toMatchObject({ status: "failed", error: { code: "MAX_STEPS_EXCEEDED" } });
  });

  it("fails with the tool's error when the default policy's call fails", async () => {
    const callTool = vi.fn().mockResolvedValue({ status: "failed", error: { code: "X", message: "boom" }, attempts: 1, durationMs: 0 });
    const agent = defineAgent({ name: "a", role: "r", instructions: "", tools: ["allowed"] });
    const outcome = await carryOut({ agent, subtask, language: "en", dependencies: {}, model: createRulesModel(), callTool });
    expect(outcome).toEqual({ status: "failed", error: { code: "X", message: "boom" }, calls: 1 });
  });

  it("rejects bad agent definitions", () => {
    expect(() => defineAgent({ name: "Bad Name", role: "", instructions: "", tools: ["x"] })).toThrow(/agent name/);
    expect(() => defineAgent({ name: "a", role: "", instructions: "", tools: [] })).toThrow(/at least one tool/);
  });
});
