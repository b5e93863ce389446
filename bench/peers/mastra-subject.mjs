// Mastra workflows as the bench drives them: createWorkflow/createStep with no-op steps in the
// bench shape (`.then` per level, `.parallel` where a level has several steps), run with no
// storage, with Mastra's InMemoryStore, or with LibSQLStore on a local file.
import { Mastra } from "@mastra/core/mastra";
import { InMemoryStore } from "@mastra/core/storage";
import { createStep, createWorkflow } from "@mastra/core/workflows";
import { LibSQLStore } from "@mastra/libsql";
import { z } from "zod";
import { levels, SHAPES } from "../shapes.mjs";

const anything = z.any();
const done = z.object({ done: z.array(z.string()) });

function noopStep(id) {
  return createStep({
    id,
    inputSchema: anything,
    outputSchema: done,
    execute: async () => ({ done: [id] }),
  });
}

function buildWorkflow(shape) {
  let workflow = createWorkflow({ id: `bench-${shape}`, inputSchema: anything, outputSchema: anything });
  for (const level of levels(SHAPES[shape].nodes)) {
    workflow = level.length === 1 ? workflow.then(noopStep(level[0].id)) : workflow.parallel(level.map((n) => noopStep(n.id)));
  }
  return workflow.commit();
}

/**
 * @param {"none" | "memory" | "libsql"} storage
 * @param {{ libsqlPath?: string }} where
 */
export async function mastraSubject(shape, storage, where = {}) {
  let workflow = buildWorkflow(shape);
  let store;
  if (storage !== "none") {
    store = storage === "memory" ? new InMemoryStore() : new LibSQLStore({ url: `file:${where.libsqlPath}` });
    const mastra = new Mastra({ workflows: { bench: workflow }, storage: store, logger: false, telemetry: { enabled: false } });
    workflow = mastra.getWorkflow("bench");
  }
  const labels = { none: "no storage", memory: "InMemoryStore", libsql: "LibSQLStore" };
  return {
    key: `mastra-${storage}`,
    name: `Mastra · ${labels[storage]}`,
    async runOnce() {
      const run = await workflow.createRunAsync();
      const result = await run.start({ inputData: {} });
      if (result.status !== "success") throw new Error(`Mastra run ${result.status}: ${result.error?.message ?? ""}`);
    },
    async close() {
      await store?.close?.();
    },
  };
}
