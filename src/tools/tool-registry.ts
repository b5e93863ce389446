import { CsAgentsError, NotFoundError } from "../core/index.js";
import type { Tool } from "./define-tool.js";

/** The tools a process knows, by name. */
export interface ToolRegistry {
  register(tool: Tool): void;
  get(name: string): Tool;
  has(name: string): boolean;
  list(): readonly Tool[];
}

/**
 * @throws CsAgentsError (TOOL_NAME_CLASH) from `register` when the name is taken;
 *   NotFoundError (NOT_FOUND) from `get` for an unknown name.
 */
export function createToolRegistry(tools: readonly Tool[] = []): ToolRegistry {
  const byName = new Map<string, Tool>();
  const registry: ToolRegistry = {
    register(tool) {
      if (byName.has(tool.name)) {
        throw new CsAgentsError("TOOL_NAME_CLASH", `a tool named "${tool.name}" is already registered`);
      }
      byName.set(tool.name, tool);
    },
    get(name) {
      const tool = byName.get(name);
      if (!tool) throw new NotFoundError("tool", name, [...byName.keys()]);
      return tool;
    },
    has: (name) => byName.has(name),
    list: () => [...byName.values()],
  };
  for (const tool of tools) registry.register(tool);
  return registry;
}
