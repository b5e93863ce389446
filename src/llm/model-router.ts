import type { AgentModel } from "../agents/index.js";
import { CsAgentsError } from "../core/index.js";
import { createOpenAICompatibleModel, type OpenAICompatibleModelOptions } from "./openai-compatible-model.js";

/**
 * One model for every agent, except the agents named in `byAgent`. Deterministic only when all
 * of them are, so a mix with an LLM is journaled.
 */
export function routeModelByAgent(fallback: AgentModel, byAgent: Readonly<Record<string, AgentModel>>): AgentModel {
  const models = [fallback, ...Object.values(byAgent)];
  return {
    name: fallback.name,
    deterministic: models.every((m) => m.deterministic),
    decide: (context) => (byAgent[context.agent.name] ?? fallback).decide(context),
  };
}

/** The model name that keeps an agent on its built-in rules: `writer=rules`. */
export const RULES_MODEL_NAME = "rules";

/**
 * The agents' model for an endpoint: its default model, and per-agent overrides from
 * `settings.agentModels` (e.g. `writer → qwen-max`), all sharing the endpoint, the usage
 * listener and the cache. An agent mapped to `rules` keeps the given rules model (the finance
 * writer, whose rules turn the composed report into files).
 * @throws CsAgentsError (INVALID_OPTIONS) when an agent is mapped to `rules` but none is given.
 */
export function createLlmAgentModel(options: Omit<OpenAICompatibleModelOptions, "modelName"> & { readonly rules?: AgentModel }): AgentModel {
  const { rules, ...llmOptions } = options;
  const fallback = createOpenAICompatibleModel(llmOptions);
  const overrides = Object.entries(options.endpoint.settings.agentModels);
  if (overrides.length === 0) return fallback;
  const modelFor = (agent: string, modelName: string): AgentModel => {
    if (modelName !== RULES_MODEL_NAME) return createOpenAICompatibleModel({ ...llmOptions, modelName });
    if (!rules) throw new CsAgentsError("INVALID_OPTIONS", `agent "${agent}" is mapped to the rules model, but none was given`);
    return rules;
  };
  return routeModelByAgent(fallback, Object.fromEntries(overrides.map(([agent, modelName]) => [agent, modelFor(agent, modelName)])));
}
