import { stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Agent } from "../agents/index.js";
import { CsAgentsError } from "../core/index.js";
import type { PlanTemplate } from "../planner/index.js";
import type { Tool } from "../tools/index.js";

/** What a plugin module contributes. */
export interface Plugin {
  readonly source: string;
  readonly tools: readonly Tool[];
  readonly agents: readonly Agent[];
  readonly templates: readonly PlanTemplate[];
}

/** A plugin path that does not exist, does not load, or exports nothing usable. */
export class PluginError extends CsAgentsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("PLUGIN_INVALID", message, options);
  }
}

/**
 * Imports each plugin module. A plugin exports `tools`, `agents` and/or `templates` arrays
 * (made with defineTool, defineAgent, definePlanTemplate), either as named exports or as
 * properties of its default export.
 * @throws PluginError (PLUGIN_INVALID) naming the path and what is wrong.
 */
export async function loadPlugins(paths: readonly string[], cwd = process.cwd()): Promise<Plugin[]> {
  const plugins: Plugin[] = [];
  for (const path of paths) plugins.push(await loadPlugin(isAbsolute(path) ? path : resolve(cwd, path), path));
  return plugins;
}

async function loadPlugin(absolute: string, given: string): Promise<Plugin> {
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) {
    throw new PluginError(`plugin "${given}" does not exist; expected the path of a JavaScript module (.js or .mjs)`);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginError(`plugin "${given}" failed to load: ${(error as Error).message}`, { cause: error });
  }
  const exported = isRecord(module.default) ? { ...module.default, ...module } : module;
  const plugin: Plugin = {
    source: given,
    tools: listOf(exported.tools, given, "tools", isTool),
    agents: listOf(exported.agents, given, "agents", isAgent),
    templates: listOf(exported.templates, given, "templates", isTemplate),
  };
  if (plugin.tools.length + plugin.agents.length + plugin.templates.length === 0) {
    throw new PluginError(
      `plugin "${given}" exports nothing usable; expected \`tools\`, \`agents\` or \`templates\` arrays made with defineTool, defineAgent and definePlanTemplate`,
    );
  }
  return plugin;
}

function listOf<T>(value: unknown, path: string, name: string, check: (v: unknown) => v is T): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PluginError(`plugin "${path}": \`${name}\` must be an array`);
  return value.map((item, index) => {
    if (!check(item)) {
      throw new PluginError(`plugin "${path}": ${name}[${index}] is not a value made with ${makerOf[name] ?? "its define function"}`);
    }
    return item;
  });
}

const makerOf: Record<string, string> = { tools: "defineTool", agents: "defineAgent", templates: "definePlanTemplate" };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isTool = (v: unknown): v is Tool =>
  isRecord(v) && typeof v.name === "string" && typeof v.handler === "function" && isRecord(v.input) && typeof v.timeoutMs === "number";
const isAgent = (v: unknown): v is Agent =>
  isRecord(v) && typeof v.name === "string" && Array.isArray(v.tools) && typeof v.maxSteps === "number";
const isTemplate = (v: unknown): v is PlanTemplate =>
  isRecord(v) && typeof v.name === "string" && typeof v.match === "function" && typeof v.build === "function";
