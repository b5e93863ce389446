import type { JSONSchema7 } from "ai";
import type { Agent, AgentRegistry } from "../agents/index.js";
import type { Tool, ToolRegistry } from "../tools/index.js";
import { inputJsonSchema } from "./offered-tools.js";

/** Most agents the planner is shown, and most tools per agent: the ones the task is most about. */
export const CATALOGUE_MAX_AGENTS = 8;
export const CATALOGUE_MAX_TOOLS = 8;

const DESCRIPTION_CHARS = 90;

/**
 * Words of a text for matching a task to agents and tools: Latin words of 3+ letters,
 * lowercased, and every pair of adjacent CJK characters (Chinese has no spaces: "财务报告" →
 * 财务, 务报, 报告).
 */
export function terms(text: string): Set<string> {
  const found = new Set<string>();
  for (const [word] of text.toLowerCase().matchAll(/[a-z][a-z0-9]{2,}/g)) found.add(word);
  for (const [run] of text.matchAll(/\p{Script=Han}+/gu)) {
    for (let i = 0; i + 1 < run.length; i++) found.add(run.slice(i, i + 2));
    if (run.length === 1) found.add(run);
  }
  return found;
}

const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((t) => b.has(t)).length;

function toolText(tool: Tool): string {
  return `${tool.name.replace(/[._]/g, " ")} ${tool.description}`;
}

/** Keeps the `max` items scoring highest, in their original order; all of them when they fit. */
function mostRelevant<T>(items: readonly T[], score: (item: T) => number, max: number): T[] {
  if (items.length <= max) return [...items];
  const keep = new Set(
    items
      .map((item, i) => ({ item, i, s: score(item) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, max)
      .map((x) => x.item),
  );
  return items.filter((item) => keep.has(item));
}

/** A type as one short phrase: `string`, `"zh"|"en"`, `string[]`, `object`. */
function typeName(schema: JSONSchema7 | boolean | undefined): string {
  if (typeof schema !== "object") return "any";
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join("|");
  if (schema.anyOf) return schema.anyOf.map((s) => typeName(s)).join("|");
  const type = Array.isArray(schema.type) ? schema.type.join("|") : schema.type;
  if (type === "array") {
    const items = Array.isArray(schema.items) ? undefined : schema.items;
    const inner = typeName(items);
    return inner === "object" || inner === "any" ? "array" : `${inner}[]`;
  }
  return type ?? "any";
}

const short = (text: string | undefined) => (text === undefined ? "" : text.length > DESCRIPTION_CHARS ? `${text.slice(0, DESCRIPTION_CHARS - 1)}…` : text);

/**
 * A tool's input as one line: each top-level argument with its type, `?` when optional, and a
 * short description. Nested objects are named, not spelled out: the planner suggests inputs,
 * the agent's model sees the full schema when it calls the tool, and the executor validates.
 */
export function inputSignature(tool: Tool): string {
  const schema = inputJsonSchema(tool.input);
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return "{}";
  const required = new Set(schema.required ?? []);
  const fields = properties.map(([name, property]) => {
    const description = typeof property === "object" ? short(property.description) : "";
    return `${name}${required.has(name) ? "" : "?"}: ${typeName(property)}${description ? ` (${description})` : ""}`;
  });
  return `{ ${fields.join("; ")} }`;
}

function describeTool(tool: Tool): string {
  return `    - ${tool.name}${tool.sensitive ? " (sensitive: needs a person's approval)" : ""}: ${tool.description} Input: ${inputSignature(tool)}`;
}

/**
 * The agents and tools the planner is shown for a task: all of them while they are few; past
 * CATALOGUE_MAX_AGENTS agents (or CATALOGUE_MAX_TOOLS tools of one agent, as MCP servers add),
 * those whose names, roles and descriptions share the most words with the task. Each tool's
 * input is a one-line signature, not its full JSON Schema.
 */
export function planCatalogue(agents: AgentRegistry, tools: ToolRegistry, taskText: string): string {
  const wanted = terms(taskText);
  const toolsOf = (agent: Agent) => agent.tools.filter((name) => tools.has(name)).map((name) => tools.get(name));
  const agentScore = (agent: Agent) => overlap(terms(`${agent.name} ${agent.role} ${agent.instructions} ${toolsOf(agent).map(toolText).join(" ")}`), wanted);
  const shown = mostRelevant(agents.list(), agentScore, CATALOGUE_MAX_AGENTS);
  const left = agents.list().length - shown.length;
  const lines = shown.map((agent) => {
    const all = toolsOf(agent);
    const kept = mostRelevant(all, (t) => overlap(terms(toolText(t)), wanted), CATALOGUE_MAX_TOOLS);
    const more = all.length - kept.length;
    return [`- ${agent.name}: ${agent.role}`, ...kept.map(describeTool), ...(more > 0 ? [`    (and ${more} more tools less related to this task)`] : [])].join("\n");
  });
  return [...lines, ...(left > 0 ? [`(${left} more agents less related to this task are not listed)`] : [])].join("\n");
}
