import type { Agent, AgentModel, AgentRegistry } from "../agents/index.js";
import { createAgentRegistry, createRulesModel } from "../agents/index.js";
import { CsAgentsError } from "../core/index.js";
import type { Engine, Journal } from "../engine/index.js";
import { createEngine, createMemoryJournal } from "../engine/index.js";
import { TaskPlanner, type Planner } from "../planner/index.js";
import type { ToolCache } from "../cache/index.js";
import type { ToolRegistry } from "../tools/index.js";
import { createToolRegistry, ToolExecutor } from "../tools/index.js";
import type { LlmEndpointDeps, LlmSettings, RunAccounting, RunBudget } from "../llm/index.js";
import { createLlmAgentModel, createLlmEndpoint, createLlmPlanner, createRunAccounting, hasBudget, toolCacheResponses } from "../llm/index.js";
import type { McpToolset } from "../mcp/index.js";
import { builtinAgents, builtinTemplates, builtinTools } from "./builtins.js";
import type { Plugin } from "./load-plugins.js";

export interface RuntimeOptions {
  readonly plugins?: readonly Plugin[];
  readonly journal?: Journal;
  readonly model?: AgentModel;
  readonly maxConcurrency?: number;
  /** Where tools that opt in keep results; without it nothing is cached. */
  readonly cache?: ToolCache;
  /**
   * An OpenAI-compatible endpoint: agents decide with it and the LLM planner plans with it
   * (falling back to the templates). Without it the rules model and the templates (offline).
   */
  readonly llm?: LlmSettings;
  /** For tests: how the endpoint waits between retries. */
  readonly llmDeps?: LlmEndpointDeps;
  /** Run budgets (0: no limit); a run over one fails with BUDGET_EXCEEDED. */
  readonly budget?: RunBudget;
  /** MCP servers' tools (`connectMcpServers`): registered, and granted to the agents each server names. */
  readonly mcp?: McpToolset;
  /** Told the size of every batch a batching tool sends (metrics). */
  readonly onBatch?: (tool: string, size: number) => void;
  /** The clock plans read today from ("last quarter"); the system clock by default. */
  readonly now?: () => Date;
}

/** Everything a process needs to plan and run tasks, wired once. */
export interface Runtime {
  readonly tools: ToolRegistry;
  readonly agents: AgentRegistry;
  /** What runs plan with: the LLM planner when an endpoint is configured, else the template planner. */
  readonly planner: Planner;
  /** The built-in template planner (the LLM planner's fallback). */
  readonly templatePlanner: TaskPlanner;
  readonly executor: ToolExecutor;
  readonly engine: Engine;
  /** Token, request and tool-call usage per run and tenant; undefined offline without budgets. */
  readonly usage: RunAccounting | undefined;
  /** The MCP servers' tools and connections, when any are configured. */
  readonly mcp: McpToolset | undefined;
  /** Closes the executor (cache, batchers) and the MCP connections. */
  close(): Promise<void>;
}

/**
 * The composition root: built-ins plus plugins. Plugin templates are tried before the
 * built-in ones, so a plugin can plan phrasings the built-ins would also match.
 * With `llm` set, agents decide with the endpoint's models (per-agent overrides included) and
 * the LLM planner plans, falling back to the templates; with `budget` or `llm`, usage is
 * accounted per run and tenant and budgets stop runs.
 * @throws CsAgentsError (PLUGIN_CLASH) when a plugin's tool or agent name is already taken;
 *   (PLUGIN_INVALID) when an agent names an unknown tool; (MCP_INVALID) when an MCP server
 *   grants tools to an unknown agent; (INVALID_OPTIONS) for wrong LLM settings.
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const plugins = options.plugins ?? [];
  const tools = createToolRegistry(builtinTools());
  const registered = createAgentRegistry(builtinAgents());
  for (const plugin of plugins) {
    for (const tool of plugin.tools) register(() => tools.register(tool), plugin, "tool", tool.name);
    for (const agent of plugin.agents) register(() => registered.register(agent), plugin, "agent", agent.name);
  }
  for (const tool of options.mcp?.tools ?? []) tools.register(tool);
  const agents = withMcpGrants(registered, options.mcp);
  for (const agent of agents.list()) {
    const missing = agent.tools.filter((name) => !tools.has(name));
    if (missing.length > 0) {
      throw new CsAgentsError("PLUGIN_INVALID", `agent "${agent.name}" names unknown tools: ${missing.join(", ")}`);
    }
  }
  const templates = [...plugins.flatMap((p) => p.templates), ...builtinTemplates(options.now ?? (() => new Date()))];
  const templatePlanner = new TaskPlanner({ templates, knownAgents: agents.names() });
  const executor = new ToolExecutor({ registry: tools, ...(options.cache ? { cache: options.cache } : {}), ...(options.onBatch ? { onBatch: options.onBatch } : {}) });
  const budget = options.budget ?? { maxTokens: 0, maxToolCalls: 0, maxMs: 0 };
  // Accounting wraps the model and the engine only when something reads it.
  const usage = options.llm || hasBudget(budget) ? createRunAccounting(budget) : undefined;
  const endpoint = options.llm ? createLlmEndpoint(options.llm, options.llmDeps) : undefined;
  const onUsage = usage ? { onUsage: usage.onUsage } : {};
  // Answers are reused only when asked for, at temperature 0, and only through a real cache.
  const ttl = options.llm?.responseCacheTtlMs ?? 0;
  const responses = ttl > 0 && options.cache ? { cache: toolCacheResponses(options.cache, ttl) } : {};
  const baseModel = options.model ?? (endpoint ? createLlmAgentModel({ endpoint, tools, rules: createRulesModel(), ...onUsage, ...responses }) : createRulesModel());
  const model = usage ? usage.model(baseModel) : baseModel;
  const planner = endpoint ? createLlmPlanner({ endpoint, agents, tools, fallback: templatePlanner, ...onUsage }) : templatePlanner;
  const journal = options.journal ?? createMemoryJournal();
  const engine = createEngine({
    planner,
    agents,
    tools,
    executor,
    model,
    journal,
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
  });
  // A deterministic model is asked again for each replayed decision (its tool calls count as
  // they replay); an LLM's decisions are read back, so their tool calls count from the journal.
  const budgeted = usage ? usage.engine(engine, { journal, modelAskedAgainOnReplay: model.deterministic }) : engine;
  const close = async () => {
    await Promise.all([executor.close(), options.mcp?.close()]);
  };
  return { tools, agents, planner, templatePlanner, executor, engine: budgeted, usage, mcp: options.mcp, close };
}

/** The agents, with the MCP tools each server grants added to their allow-lists. */
function withMcpGrants(agents: AgentRegistry, mcp: McpToolset | undefined): AgentRegistry {
  if (!mcp || mcp.grants.size === 0) return agents;
  const known = agents.names();
  const unknown = [...mcp.grants.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new CsAgentsError("MCP_INVALID", `CS_AGENTS_MCP_SERVERS grants tools to unknown agents: ${unknown.join(", ")} (known: ${[...known].join(", ")})`);
  }
  return createAgentRegistry(agents.list().map((agent): Agent => ({ ...agent, tools: [...agent.tools, ...(mcp.grants.get(agent.name) ?? [])] })));
}

function register(action: () => void, plugin: Plugin, kind: string, name: string): void {
  try {
    action();
  } catch (error) {
    throw new CsAgentsError("PLUGIN_CLASH", `plugin "${plugin.source}": a ${kind} named "${name}" already exists; choose another name`, { cause: error });
  }
}
