// Tools for the poison-isolation tests. A task "poison exit" calls a tool that ends its worker
// with process.exit(1); "poison oom" calls one that allocates until the worker's heap runs out;
// any other "poison test ..." task calls `poison.record` once, which appends
// "<idempotency key>" to CALLS_FILE, so the test can count every real call.
import { appendFileSync } from "node:fs";
import { defineAgent, definePlanTemplate, defineTool, z } from "../../dist/index.js";

const io = { input: z.object({ item: z.string() }), output: z.object({ item: z.string() }) };

const record = defineTool({
  name: "poison.record",
  description: "records that it was called",
  ...io,
  idempotent: true,
  retry: false,
  handler: async ({ item }, { idempotencyKey }) => {
    if (process.env.CALLS_FILE) appendFileSync(process.env.CALLS_FILE, `${idempotencyKey ?? "none"}\n`);
    return { item };
  },
});

const exit = defineTool({
  name: "poison.exit",
  description: "ends the process it runs in",
  ...io,
  idempotent: true,
  retry: false,
  handler: async () => process.exit(1),
});

const kept = [];
const oom = defineTool({
  name: "poison.oom",
  description: "allocates until the heap runs out",
  ...io,
  idempotent: true,
  retry: false,
  handler: async () => {
    for (;;) kept.push(new Array(100_000).fill(kept.length));
  },
});

const caller = defineAgent({
  name: "poison-caller",
  role: "makes the one call its subtask names",
  instructions: "",
  tools: ["poison.record", "poison.exit", "poison.oom"],
  rules: ({ subtask, history }) => {
    const last = history.at(-1);
    if (last) return last.result.status === "failed" ? { type: "fail", error: last.result.error } : { type: "finish", output: last.result.output };
    return { type: "call", tool: subtask.input.tool, input: { item: subtask.id } };
  },
});

const template = definePlanTemplate({
  name: "poison-test",
  description: "one subtask making one call",
  examples: ["poison test", "poison exit", "poison oom"],
  match: (description) => {
    if (/^poison exit/.test(description)) return { params: { tool: "poison.exit" } };
    if (/^poison oom/.test(description)) return { params: { tool: "poison.oom" } };
    return /^poison test/.test(description) ? { params: { tool: "poison.record" } } : undefined;
  },
  build: (params) => [{ id: "a", title: "a", agent: "poison-caller", instructions: "", dependsOn: [], tool: params.tool, input: { tool: params.tool } }],
});

export const tools = [record, exit, oom];
export const agents = [caller];
export const templates = [template];
