export { createAgentRegistry, type AgentRegistry } from "./agent-registry.js";
export { carryOut, type CarryOutOptions, type SubtaskOutcome } from "./carry-out.js";
export { defineAgent, type Agent, type AgentSpec, type FinishDecision, type FinishHook, type RulesPolicy } from "./define-agent.js";
export type { AgentModel, Decision, ModelUsage, Turn, TurnContext } from "./model.js";
export { callSuggestedTool, createRulesModel } from "./rules-model.js";
