import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgentRegistry, createRulesModel, defineAgent } from "../../src/agents/index.js";
import type { Task } from "../../src/core/index.js";
import { createEngine, createMemoryJournal, Worker } from "../../src/engine/index.js";
import { forkTask, SqliteStore } from "../../src/store/index.js";
import { createToolRegistry, defineTool, ToolExecutor } from "../../src/tools/index.js";
import { fixedPlanner, planOf } from "./fixtures.js";

// For random plans (DAGs of one deterministic tool) and random fork points, with or without a
// replaced result: the fork ends with the result a fresh run gets when that step gives the
// replaced value, the parent's journal stays byte for byte what it was, and no run calls the
// tool twice for one step.

/** Which subtask's call gives which value in a reference run, by run id. */
const overrides = new Map<string, { subtaskId: string; value: number }>();
/** Every call the tool handled, by its idempotency key: `<run id>/<step key>`. */
const ledger: string[] = [];

const work = defineTool({
  name: "work",
  description: "adds its weight to its dependencies' values",
  input: z.object({ id: z.string(), deps: z.record(z.string(), z.unknown()).optional() }),
  output: z.object({ id: z.string(), value: z.number() }),
  retry: false,
  // Not idempotent: every call leaves an intent first, as payments do.
  idempotent: false,
  handler: async (input, ctx) => {
    ledger.push(String(ctx.idempotencyKey));
    const override = ctx.runId === undefined ? undefined : overrides.get(ctx.runId);
    if (override?.subtaskId === input.id) return { id: input.id, value: override.value };
    const fromDeps = Object.values(input.deps ?? {}).reduce<number>((sum, d) => sum + (d as { value: number }).value * 3, 0);
    return { id: input.id, value: (fromDeps + input.id.charCodeAt(1) * 7) % 1_000_003 };
  },
});

const worker = defineAgent({
  name: "worker",
  role: "does work",
  instructions: "",
  tools: ["work"],
  rules: ({ subtask, dependencies, history }) => {
    const last = history.at(-1);
    if (!last) return { type: "call", tool: "work", input: { id: subtask.id, deps: Object.fromEntries(Object.entries(dependencies).map(([id, r]) => [id, r.output])) } };
    if (last.result.status === "failed") return { type: "fail", error: last.result.error };
    return { type: "finish", output: last.result.output, artifacts: [] };
  },
});

let store: SqliteStore;
let runner: Worker;
beforeAll(() => {
  store = SqliteStore.open(":memory:");
  const tools = createToolRegistry([work]);
  // The plan comes from the task, so one engine serves every random plan.
  const planner = { ...fixedPlanner(planOf({}), true), plan: (task: Task) => Promise.resolve(planOf(task.input?.shape as Record<string, string[]>)) };
  const engine = createEngine({ planner, agents: createAgentRegistry([worker]), tools, executor: new ToolExecutor({ registry: tools }), model: createRulesModel(), journal: createMemoryJournal(), maxConcurrency: 3 });
  runner = new Worker({ store, engine, workerId: "w1" });
});
afterAll(async () => store.close());

/** A DAG of 1-6 subtasks `s0…`, each depending on some of the ones before it. */
const shapes = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (__, j) => `s${j}`)))).map((deps) => Object.fromEntries(deps.map((d, i) => [`s${i}`, d]))),
);

let serial = 0;
async function run(task: Task, id: string): Promise<void> {
  await store.submit(task, { runId: id });
  const end = await runner.runOne(id);
  if (end?.kind !== "finished") throw new Error(`run ${id} did not finish: ${JSON.stringify(end)}`);
}

function duplicates(): string[] {
  const seen = new Set<string>();
  return ledger.filter((entry) => (seen.has(entry) ? true : (seen.add(entry), false)));
}

describe("fork (property)", () => {
  it("a fork ends as a fresh run with the same replaced value would, the parent's journal unchanged, no step called twice in any run", async () => {
    await fc.assert(
      fc.asyncProperty(shapes, fc.nat(), fc.boolean(), fc.integer({ min: -1_000, max: 1_000 }), async (shape, pick, replace, value) => {
        const n = ++serial;
        const task: Task = { description: "random plan", input: { shape } };
        const parentId = `p${n}`;
        await run(task, parentId);
        const parentSteps = await store.load(parentId);
        const before = JSON.stringify(parentSteps);
        const at = parentSteps[pick % parentSteps.length];
        if (!at) throw new Error("the parent has no steps");
        const call = /^subtask\/([^/]+)\/(call\/0|done)$/.exec(at.key);
        const replaced = replace && call?.[1] !== undefined ? { subtaskId: call[1], value } : undefined;
        // A call's output and a subtask's output have the same shape here: the agent finishes with the call's.
        const output = replaced ? { id: replaced.subtaskId, value } : undefined;
        const forkId = `f${n}`;
        await store.forkAudited(
          { parentId, stepKey: at.key, task: forkTask(task, {}), ...(output ? { output: { value: output } } : {}) },
          { runId: forkId, requestHash: String(n), submittedBy: "test" },
          { action: "task.forked", actor: "test", tenant: "" },
        );
        const seeded = new Set((await store.load(forkId)).map((s) => s.key));
        const end = await runner.runOne(forkId);
        expect(end).toMatchObject({ kind: "finished", outcome: { status: "succeeded" } });

        // The reference: a fresh run whose replaced step gives the same value.
        const referenceId = `r${n}`;
        if (replaced) overrides.set(referenceId, replaced);
        await run(task, referenceId);
        expect((await store.get(forkId))?.result).toEqual((await store.get(referenceId))?.result);
        expect(JSON.stringify(await store.load(parentId))).toBe(before);
        // What was seeded is replayed, never called again in the fork.
        expect(ledger.filter((e) => e.startsWith(`${forkId}/`) && seeded.has(e.slice(forkId.length + 1)))).toEqual([]);
        expect(duplicates()).toEqual([]);
      }),
      { numRuns: 80 },
    );
  });
});
