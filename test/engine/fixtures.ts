import { z } from "zod";
import { createAgentRegistry, createRulesModel, defineAgent, type AgentModel } from "../../src/agents/index.js";
import type { Plan, Subtask, Task } from "../../src/core/index.js";
import { createEngine, createMemoryJournal, type EngineEvent, type Journal } from "../../src/engine/index.js";
import type { Planner } from "../../src/planner/index.js";
import { createToolRegistry, defineTool, ToolExecutor, type ToolContext } from "../../src/tools/index.js";

/** A plan given as `id: deps` pairs, each subtask calling the `work` tool with its own id. */
export function planOf(shape: Record<string, string[]>, input: Record<string, unknown> = {}): Plan {
  const subtasks: Subtask[] = Object.entries(shape).map(([id, dependsOn]) => ({
    id,
    title: `do ${id}`,
    agent: "worker",
    instructions: "",
    dependsOn,
    tool: "work",
    input: { id, ...input },
  }));
  return { source: "test", language: "en", params: {}, subtasks };
}

export function fixedPlanner(plan: Plan, deterministic = false): Planner {
  return { deterministic, plan: () => Promise.resolve(plan), decompose: () => Promise.resolve([...plan.subtasks]) };
}

export interface WorkCall {
  readonly id: string;
  readonly start: number;
  end?: number;
  readonly deps: unknown;
  readonly fencing: ToolContext["fencing"];
}

/**
 * An engine whose one tool, `work`, waits `delayMs`, fails for ids in `failIds`, and records
 * each call; the `worker` agent passes its dependencies' outputs to the tool.
 */
export function testEngine(options: {
  plan: Plan;
  delayMs?: number;
  failIds?: string[];
  journal?: Journal;
  maxConcurrency?: number;
  idempotent?: boolean;
  model?: AgentModel;
  sensitive?: boolean;
  deterministicPlanner?: boolean;
}) {
  const calls: WorkCall[] = [];
  const events: EngineEvent[] = [];
  const load = { active: 0, max: 0 };
  const work = defineTool({
    name: "work",
    description: "does a subtask's work",
    input: z.object({ id: z.string(), deps: z.record(z.string(), z.unknown()).optional() }),
    output: z.object({ id: z.string(), seen: z.array(z.string()) }),
    retry: false,
    idempotent: options.idempotent ?? true,
    sensitive: options.sensitive ?? false,
    handler: async (input, ctx: ToolContext) => {
      const call: WorkCall = { id: input.id, start: performance.now(), deps: input.deps, fencing: ctx.fencing };
      calls.push(call);
      load.max = Math.max(load.max, ++load.active);
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, options.delayMs ?? 0);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new Error("aborted"));
        });
      });
      call.end = performance.now();
      load.active--;
      if (options.failIds?.includes(input.id)) throw new Error(`work ${input.id} broke`);
      return { id: input.id, seen: Object.keys(input.deps ?? {}) };
    },
  });
  const worker = defineAgent({
    name: "worker",
    role: "does work",
    instructions: "",
    tools: ["work"],
    rules: ({ subtask, dependencies, history }) => {
      const last = history.at(-1);
      if (!last) {
        const deps = Object.fromEntries(Object.entries(dependencies).map(([id, r]) => [id, r.output]));
        return { type: "call", tool: "work", input: { ...subtask.input, deps } };
      }
      if (last.result.status === "failed") return { type: "fail", error: last.result.error };
      return { type: "finish", output: last.result.output, artifacts: [{ name: `${subtask.id}.txt`, mediaType: "text/plain", content: subtask.id }] };
    },
  });
  const tools = createToolRegistry([work]);
  const journal = options.journal ?? createMemoryJournal();
  const engine = createEngine({
    planner: fixedPlanner(options.plan, options.deterministicPlanner),
    agents: createAgentRegistry([worker]),
    tools,
    executor: new ToolExecutor({ registry: tools }),
    model: options.model ?? createRulesModel(),
    journal,
    ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
  });
  const task: Task = { description: "test task" };
  return { engine, calls, events, load, journal, task, onEvent: (e: EngineEvent) => events.push(e) };
}
