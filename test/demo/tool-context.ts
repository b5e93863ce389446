import type { Tool, ToolContext } from "../../src/tools/index.js";

export const toolContext = (): ToolContext => ({ signal: new AbortController().signal, idempotencyKey: undefined, runId: undefined, tenant: undefined, attempt: 1, invalidate: () => Promise.resolve(), sleep: () => undefined, sleepUntil: () => undefined, ask: () => Promise.reject(new Error("no run")), runChild: () => Promise.reject(new Error("no run")) });

/** Calls a tool's handler the way the executor does: input parsed by its schema, output checked by its schema. */
export async function call(tool: Tool, input: unknown): Promise<unknown> {
  const output = await tool.handler(tool.input.parse(input), toolContext());
  return tool.output.parse(output);
}
