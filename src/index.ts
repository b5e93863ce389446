/**
 * The public API of cs-agents: what plugins and programs import from "cs-agents".
 */
import { TaskPlanner as TemplatePlanner, type TaskPlannerOptions } from "./planner/index.js";
import { createAgentRegistry } from "./agents/index.js";
import { createToolRegistry, ToolExecutor as BaseToolExecutor, type ToolExecutorOptions } from "./tools/index.js";
import { builtinAgents, builtinTemplates, builtinTools } from "./runtime/index.js";

export { z } from "zod";
export * from "./core/index.js";
export { defineTool, ToolError, createToolRegistry, type Tool, type ToolSpec, type ToolContext, type AskRequest, type FencingToken, type ToolCallResult, type ToolCallRequest, type ToolRegistry } from "./tools/index.js";
export { defineAgent, createAgentRegistry, createRulesModel, callSuggestedTool, type Agent, type AgentSpec, type AgentModel, type Decision, type TurnContext, type RulesPolicy } from "./agents/index.js";
export { definePlanTemplate, detectLanguage, type PlanTemplate, type PlanTemplateSpec, type Planner } from "./planner/index.js";
export { createEngine, createMemoryJournal, Worker, type Engine, type EngineEvent, type Journal, type RunOutcome, type WorkerOptions } from "./engine/index.js";
export { openStore, type Store } from "./store/index.js";
export { createRuntime, loadPlugins, type Runtime } from "./runtime/index.js";
export {
  BudgetExceededError,
  createLlmAgentModel,
  createLlmEndpoint,
  createLlmPlanner,
  createOpenAICompatibleModel,
  createRunAccounting,
  LlmError,
  routeModelByAgent,
  type LlmEndpoint,
  type LlmPlannerOptions,
  type LlmSettings,
  type ModelResponseCache,
  type OpenAICompatibleModelOptions,
  type RunAccounting,
  type RunBudget,
  type RunUsage,
  type TokenUsage,
  type UsageReport,
} from "./llm/index.js";
export { connectMcpServers, type McpServerConfig, type McpToolset } from "./mcp/index.js";

/** The built-in planner; with no options it knows the built-in templates and agents. */
export class TaskPlanner extends TemplatePlanner {
  constructor(options: Partial<TaskPlannerOptions> = {}) {
    super({
      templates: options.templates ?? builtinTemplates(() => new Date()),
      knownAgents: options.knownAgents ?? createAgentRegistry(builtinAgents()).names(),
    });
  }
}

/** The tool executor; with no options it runs the built-in tools. */
export class ToolExecutor extends BaseToolExecutor {
  constructor(options: Partial<ToolExecutorOptions> = {}) {
    super({ ...options, registry: options.registry ?? createToolRegistry(builtinTools()) });
  }
}
