// cs-agents as the bench drives it: an engine with a fixed planner, the no-op agent and tool,
// the rules model, and one of its journals. Every subject has the same shape:
//   { name, runOnce(): Promise<void>, close(): Promise<void> }
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { createAgentRegistry, createRulesModel } from "../dist/agents/index.js";
import { newRunId } from "../dist/core/index.js";
import { createEngine, createMemoryJournal, Worker } from "../dist/engine/index.js";
import { openStore, SqliteStore } from "../dist/store/index.js";
import { createToolRegistry, ToolExecutor } from "../dist/tools/index.js";
import { noopAgent, noopPlan, noopTool } from "./noop-plugin.mjs";

const LEASE_MS = 30_000;

/**
 * The planner port with one fixed plan: planning costs nothing but the engine's own validation.
 * Deterministic, as the template planner is: the plan is committed with the first step.
 */
function fixedPlanner(shape) {
  const plan = noopPlan(shape);
  return { deterministic: true, plan: async () => plan, decompose: async () => [...plan.subtasks] };
}

export function createNoopEngine(shape, journal = createMemoryJournal()) {
  const tools = createToolRegistry([noopTool]);
  return createEngine({
    planner: fixedPlanner(shape),
    agents: createAgentRegistry([noopAgent]),
    tools,
    executor: new ToolExecutor({ registry: tools }),
    model: createRulesModel(),
    journal,
  });
}

function task(shape) {
  return { description: `bench ${shape}` };
}

function expectSucceeded(outcome) {
  if (outcome.status !== "succeeded") throw new Error(`run ${outcome.status}: ${JSON.stringify(outcome.error)}`);
}

/** In-memory journal (one per engine, as `createRuntime()` makes it). */
export function memorySubject(shape) {
  const engine = createNoopEngine(shape);
  return {
    key: "cs-memory",
    name: "cs-agents · memory journal",
    async runOnce() {
      expectSucceeded(await engine.execute({ runId: newRunId(), task: task(shape) }));
    },
    close: async () => undefined,
  };
}

/**
 * A store-backed run, every step committed before the next. `path: "worker"` goes through the
 * queue: submit, then `Worker.runOne` (claim, fenced steps, the outcome with the last steps);
 * `path: "eager"` is what `cs-agents run` does: `Worker.submitAndRun`, the submit being the claim.
 */
const STORE_LABELS = { sqlite: "SQLite", postgres: "PostgreSQL" };
const PATH_LABELS = { worker: "submit + Worker.runOne", eager: "Worker.submitAndRun" };

/** @param {{ kind: "sqlite" | "postgres", path: "worker" | "eager" }} how */
export function storeSubject(shape, store, { kind, path }) {
  const engine = createNoopEngine(shape);
  const worker = new Worker({ store, engine, leaseMs: LEASE_MS, workerId: `bench-${process.pid}` });
  const t = task(shape);
  const runOnce =
    path === "worker"
      ? async () => {
          const runId = newRunId();
          await store.submit(t, { runId });
          const end = await worker.runOne(runId);
          if (end?.kind !== "finished") throw new Error(`run ended as ${end?.kind}`);
          expectSucceeded(end.outcome);
        }
      : async () => {
          const { end } = await worker.submitAndRun(t, { runId: newRunId() });
          const ended = await end;
          if (ended?.kind !== "finished") throw new Error(`run ended as ${ended?.kind}`);
          expectSucceeded(ended.outcome);
        };
  return {
    key: `cs-${kind}-${path}`,
    name: `cs-agents · ${STORE_LABELS[kind]} (${PATH_LABELS[path]})`,
    runOnce,
    close: async () => undefined,
  };
}

/** A fresh SQLite file in a temporary directory; `close` deletes it. */
export function openTempSqlite() {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-"));
  const file = join(dir, "bench.db");
  const store = SqliteStore.open(file);
  return {
    store,
    file,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function openPostgres(url, poolSize = 10) {
  return openStore(url, { poolSize });
}
