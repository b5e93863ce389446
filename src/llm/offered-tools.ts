import type * as Ai from "ai";
import type { JSONSchema7, ToolSet } from "ai";
import { z } from "zod";
import type { Agent } from "../agents/index.js";
import type { Tool, ToolRegistry } from "../tools/index.js";
import type { ToolDefinition } from "./prompt-size.js";
import { READ_RESULT, READ_RESULT_DESCRIPTION, READ_RESULT_SCHEMA } from "./result-references.js";

/** The tools one agent is offered, under names the chat-completions protocol accepts. */
export interface OfferedTools {
  /** For the SDK: function name → description and JSON Schema (no `execute`: the engine calls tools). */
  readonly toolSet: ToolSet;
  /** Our tool name → function name. */
  toFunction(toolName: string): string;
  /**
   * Function name → our tool name. A name that was not offered comes back unchanged, so the
   * engine refuses it (TOOL_NOT_ALLOWED) under the name the model used, and the attempt is seen.
   */
  fromFunction(functionName: string): string;
  /** Each offered tool as the request carries it, for counting the prompt's tokens. */
  readonly definitions: readonly ToolDefinition[];
}

const schemas = new WeakMap<z.ZodType, JSONSchema7>();

/** The JSON Schema of a tool's input as callers write it (defaults optional), computed once. */
export function inputJsonSchema(schema: z.ZodType): JSONSchema7 {
  let json = schemas.get(schema);
  if (!json) {
    // `unrepresentable: "any"`: a refinement or transform the JSON Schema cannot say is checked
    // by the executor's validation anyway.
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    json = rest as JSONSchema7;
    schemas.set(schema, json);
  }
  return json;
}

/** An argument whose schema is larger than this (JSON bytes) is offered as a plain object. */
const LARGE_ARGUMENT_SCHEMA_BYTES = 1_500;

const offeredSchemas = new WeakMap<z.ZodType, JSONSchema7>();

/**
 * The schema a tool is offered with: its input schema, except that an argument with a large
 * nested schema (a whole metrics object) is offered as "an object, usually passed by
 * reference". Its full schema would cost thousands of tokens on every request; the model hands
 * such values on with {"$ref": handle}, and the executor still validates the full schema
 * (TOOL_INPUT_INVALID goes back to the model).
 */
export function offeredSchema(schema: z.ZodType): JSONSchema7 {
  let offered = offeredSchemas.get(schema);
  if (!offered) {
    const full = inputJsonSchema(schema);
    const properties = Object.fromEntries(
      Object.entries(full.properties ?? {}).map(([name, property]) => {
        if (typeof property !== "object" || JSON.stringify(property).length <= LARGE_ARGUMENT_SCHEMA_BYTES) return [name, property];
        const said = property.description ? `${property.description}. ` : "";
        return [name, { type: property.type ?? "object", description: `${said}A large structured value: pass the one given to you by reference, as {"$ref": handle}.` } as JSONSchema7];
      }),
    );
    offered = full.properties ? { ...full, properties } : full;
    offeredSchemas.set(schema, offered);
  }
  return offered;
}

/**
 * Only the agent's allowed tools are offered; a tool the registry does not know is left out.
 * Function names may hold only letters, digits, `_` and `-`, so `ledger.query` is offered as
 * `ledger_query` (with a suffix if two names would clash).
 */
export function offeredTools(agent: Agent, registry: ToolRegistry, ai: typeof Ai): OfferedTools {
  const toFn = new Map<string, string>();
  const fromFn = new Map<string, string>();
  const toolSet: ToolSet = {};
  const allowed: Tool[] = agent.tools.filter((name) => registry.has(name)).map((name) => registry.get(name));
  const definitions: ToolDefinition[] = [];
  // Reserved for values given by reference (answered by the adapter, never by the engine).
  fromFn.set(READ_RESULT, READ_RESULT);
  for (const t of allowed) {
    const base = t.name.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60);
    let fn = base;
    for (let i = 2; fromFn.has(fn); i++) fn = `${base}_${i}`;
    toFn.set(t.name, fn);
    fromFn.set(fn, t.name);
    const description = t.sensitive ? `${t.description} (sensitive: a person must approve each call before it runs)` : t.description;
    const parameters = offeredSchema(t.input);
    toolSet[fn] = ai.tool({ description, inputSchema: ai.jsonSchema(parameters) });
    definitions.push({ name: fn, description, parameters });
  }
  fromFn.delete(READ_RESULT);
  return {
    toolSet,
    definitions,
    toFunction: (name) => toFn.get(name) ?? name.replace(/[^A-Za-z0-9_-]/g, "_"),
    fromFunction: (fn) => fromFn.get(fn) ?? fn,
  };
}

/** The tools offered plus read_result, for a turn that gives values by reference. */
export function withReadResult(offered: OfferedTools, ai: typeof Ai): OfferedTools {
  const parameters = READ_RESULT_SCHEMA as unknown as JSONSchema7;
  return {
    ...offered,
    toolSet: { ...offered.toolSet, [READ_RESULT]: ai.tool({ description: READ_RESULT_DESCRIPTION, inputSchema: ai.jsonSchema(parameters) }) },
    definitions: [...offered.definitions, { name: READ_RESULT, description: READ_RESULT_DESCRIPTION, parameters }],
  };
}
