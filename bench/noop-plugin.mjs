// A cs-agents plugin with one no-op tool, one agent that calls the subtask's suggested tool,
// and a plan template per bench shape ("bench linear3", "bench linear10", "bench fanout"), so
// `cs-agents submit` and `cs-agents worker --plugin bench/noop-plugin.mjs` can run them too.
import { defineAgent, definePlanTemplate, defineTool, z } from "../dist/index.js";
import { SHAPES } from "./shapes.mjs";

export const noopTool = defineTool({
  name: "bench.noop",
  description: "does nothing and returns at once",
  input: z.object({}),
  output: z.object({}),
  retry: false,
  idempotent: true,
  handler: async () => ({}),
});

export const noopAgent = defineAgent({
  name: "bench-agent",
  role: "calls the suggested tool once",
  instructions: "",
  tools: [noopTool.name],
});

/** The subtasks of a shape: each calls the no-op tool once. */
export function noopSubtasks(shape) {
  return SHAPES[shape].nodes.map((node) => ({
    id: node.id,
    title: node.id,
    agent: noopAgent.name,
    instructions: "",
    dependsOn: [...node.dependsOn],
    tool: noopTool.name,
    input: {},
  }));
}

export function noopPlan(shape) {
  return { source: `bench:${shape}`, language: "en", params: {}, subtasks: noopSubtasks(shape) };
}

const template = definePlanTemplate({
  name: "bench-noop",
  description: "a plan of no-op steps in one of the bench shapes",
  examples: Object.keys(SHAPES).map((shape) => `bench ${shape}`),
  match: (description) => {
    const shape = /^bench (\w+)$/.exec(description)?.[1];
    return shape && shape in SHAPES ? { params: { shape } } : undefined;
  },
  build: (params) => noopSubtasks(params.shape),
});

export const tools = [noopTool];
export const agents = [noopAgent];
export const templates = [template];
