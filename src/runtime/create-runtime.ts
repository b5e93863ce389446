import type { AgentModel, AgentRegistry } from "../agents/index.js";
import { createAgentRegistry, createRulesModel } from "../agents/index.js";
import { CsAgentsError } from "../core/index.js";
import type { Engine, Journal } from "../engine/index.js";
import { createEngine, createMemoryJournal } from "../engine/index.js";
import { TaskPlanner } from "../planner/index.js";
import type { ToolCache } from "../cache/index.js";
import type { ToolRegistry } from "../tools/index.js";
import { createToolRegistry, ToolExecutor } from "../tools/index.js";
import { builtinAgents, builtinTemplates, builtinTools } from "./builtins.js";
import type { Plugin } from "./load-plugins.js";

export interface RuntimeOptions {
  readonly plugins?: readonly Plugin[];
  readonly journal?: Journal;
  readonly model?: AgentModel;
  readonly maxConcurrency?: number;
  /** Where tools that opt in keep results; without it nothing is cached. */
  readonly cache?: ToolCache;
}

/** Everything a process needs to plan and run tasks, wired once. */
export interface Runtime {
  readonly tools: ToolRegistry;
  readonly agents: AgentRegistry;
  readonly planner: TaskPlanner;
  readonly executor: ToolExecutor;
  readonly engine: Engine;
}

/**
 * The composition root: built-ins plus plugins. Plugin templates are tried before the
 * built-in ones, so a plugin can plan phrasings the built-ins would also match.
 * @throws CsAgentsError (PLUGIN_CLASH) when a plugin's tool or agent name is already taken.
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const plugins = options.plugins ?? [];
  const tools = createToolRegistry(builtinTools());
  const agents = createAgentRegistry(builtinAgents());
  for (const plugin of plugins) {
    for (const tool of plugin.tools) register(() => tools.register(tool), plugin, "tool", tool.name);
    for (const agent of plugin.agents) register(() => agents.register(agent), plugin, "agent", agent.name);
  }
  for (const agent of agents.list()) {
    const missing = agent.tools.filter((name) => !tools.has(name));
    if (missing.length > 0) {
      throw new CsAgentsError("PLUGIN_INVALID", `agent "${agent.name}" names unknown tools: ${missing.join(", ")}`);
    }
  }
  const templates = [...plugins.flatMap((p) => p.templates), ...builtinTemplates()];
  const planner = new TaskPlanner({ templates, knownAgents: agents.names() });
  const executor = new ToolExecutor({ registry: tools, ...(options.cache ? { cache: options.cache } : {}) });
  const engine = createEngine({
    planner,
    agents,
    tools,
    executor,
    model: options.model ?? createRulesModel(),
    journal: options.journal ?? createMemoryJournal(),
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
  });
  return { tools, agents, planner, executor, engine };
}

function register(action: () => void, plugin: Plugin, kind: string, name: string): void {
  try {
    action();
  } catch (error) {
    throw new CsAgentsError("PLUGIN_CLASH", `plugin "${plugin.source}": a ${kind} named "${name}" already exists; choose another name`, { cause: error });
  }
}
