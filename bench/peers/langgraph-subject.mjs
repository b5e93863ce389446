// LangGraph.js as the bench drives it: a StateGraph of no-op nodes in the bench shape, compiled
// with no checkpointer, MemorySaver, SqliteSaver or PostgresSaver. Each run is a fresh thread.
import { randomUUID } from "node:crypto";
import { Annotation, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { SHAPES } from "../shapes.mjs";

const State = Annotation.Root({
  // Each node reports that it ran, as a cs-agents subtask's output reaches its dependents.
  done: Annotation({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

function buildGraph(shape) {
  const { nodes } = SHAPES[shape];
  const graph = new StateGraph(State);
  for (const node of nodes) graph.addNode(node.id, async () => ({ done: [node.id] }));
  const dependedOn = new Set(nodes.flatMap((n) => n.dependsOn));
  for (const node of nodes) {
    if (node.dependsOn.length === 0) graph.addEdge(START, node.id);
    else graph.addEdge(node.dependsOn.length === 1 ? node.dependsOn[0] : node.dependsOn, node.id);
    if (!dependedOn.has(node.id)) graph.addEdge(node.id, END);
  }
  return graph;
}

/**
 * @param {"none" | "memory" | "sqlite" | "postgres"} checkpointer
 * @param {{ sqlitePath?: string, postgresUrl?: string }} where
 */
export async function langgraphSubject(shape, checkpointer, where = {}) {
  let saver;
  if (checkpointer === "memory") saver = new MemorySaver();
  if (checkpointer === "sqlite") {
    saver = SqliteSaver.fromConnString(where.sqlitePath);
    // Same durability as cs-agents' SQLite store (WAL, synchronous=NORMAL), not SQLite's FULL default.
    saver.db.pragma("synchronous = NORMAL");
  }
  if (checkpointer === "postgres") {
    saver = PostgresSaver.fromConnString(where.postgresUrl);
    await saver.setup();
  }
  const expected = SHAPES[shape].nodes.length;
  const app = buildGraph(shape).compile(saver ? { checkpointer: saver } : {});
  const labels = { none: "no checkpointer", memory: "MemorySaver", sqlite: "SqliteSaver", postgres: "PostgresSaver" };
  return {
    key: `lg-${checkpointer}`,
    name: `LangGraph.js · ${labels[checkpointer]}`,
    async runOnce() {
      const out = await app.invoke({ done: [] }, saver ? { configurable: { thread_id: randomUUID() } } : {});
      if (out.done.length !== expected) throw new Error(`LangGraph ran ${out.done.length} of ${expected} nodes`);
    },
    async close() {
      if (checkpointer === "postgres") await saver.end();
      if (checkpointer === "sqlite") saver.db.close();
    },
  };
}
