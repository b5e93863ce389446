// The plan shapes every framework runs: the same nodes and edges, each node a no-op step.

function linear(count) {
  return Array.from({ length: count }, (_, i) => ({ id: `s${i + 1}`, dependsOn: i === 0 ? [] : [`s${i}`] }));
}

/** Name → nodes in dependency order, each `{ id, dependsOn }`. */
export const SHAPES = {
  linear3: { label: "linear 3", nodes: linear(3) },
  linear10: { label: "linear 10", nodes: linear(10) },
  fanout: {
    label: "fan-out 1→3→1",
    nodes: [
      { id: "head", dependsOn: [] },
      { id: "a", dependsOn: ["head"] },
      { id: "b", dependsOn: ["head"] },
      { id: "c", dependsOn: ["head"] },
      { id: "tail", dependsOn: ["a", "b", "c"] },
    ],
  },
};

export const SHAPE_NAMES = Object.keys(SHAPES);

/** The nodes grouped by depth: each level's nodes depend only on earlier levels (Mastra's `.then`/`.parallel`). */
export function levels(nodes) {
  const depth = new Map();
  for (const node of nodes) depth.set(node.id, Math.max(-1, ...node.dependsOn.map((d) => depth.get(d))) + 1);
  const out = [];
  for (const node of nodes) (out[depth.get(node.id)] ??= []).push(node);
  return out;
}
