import type { RulesPolicy } from "./define-agent.js";
import type { AgentModel, Decision, TurnContext } from "./model.js";

/**
 * The default policy: call the subtask's suggested tool once with the suggested input, then
 * finish with its output (or fail with its error).
 */
export const callSuggestedTool: RulesPolicy = ({ subtask, history }): Decision => {
  const last = history.at(-1);
  if (!last) return { type: "call", tool: subtask.tool, input: subtask.input };
  if (last.result.status === "failed") return { type: "fail", error: last.result.error };
  return { type: "finish", output: last.result.output };
};

/** The built-in offline model: each agent's deterministic rules decide its calls. */
export function createRulesModel(): AgentModel {
  return {
    name: "rules",
    deterministic: true,
    decide: (context: TurnContext) => Promise.resolve((context.agent.rules ?? callSuggestedTool)(context)),
  };
}
