import { CsAgentsError, NotFoundError } from "../core/index.js";
import type { Agent } from "./define-agent.js";

/** The agents a process knows, by name. */
export interface AgentRegistry {
  register(agent: Agent): void;
  get(name: string): Agent;
  list(): readonly Agent[];
  names(): ReadonlySet<string>;
}

/**
 * @throws CsAgentsError (AGENT_NAME_CLASH) from `register` when the name is taken;
 *   NotFoundError (NOT_FOUND) from `get` for an unknown name.
 */
export function createAgentRegistry(agents: readonly Agent[] = []): AgentRegistry {
  const byName = new Map<string, Agent>();
  const registry: AgentRegistry = {
    register(agent) {
      if (byName.has(agent.name)) {
        throw new CsAgentsError("AGENT_NAME_CLASH", `an agent named "${agent.name}" is already registered`);
      }
      byName.set(agent.name, agent);
    },
    get(name) {
      const agent = byName.get(name);
      if (!agent) throw new NotFoundError("agent", name, [...byName.keys()]);
      return agent;
    },
    list: () => [...byName.values()],
    names: () => new Set(byName.keys()),
  };
  for (const agent of agents) registry.register(agent);
  return registry;
}
