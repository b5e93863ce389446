import dagre from "@dagrejs/dagre";
import { Background, ReactFlow } from "@xyflow/react";
import type { Edge, Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type { SubtaskView } from "../../api.js";

const NODE_WIDTH = 200;
const NODE_HEIGHT = 56;

/** The plan as a graph laid out left to right, subtasks coloured by status. */
export function Dag({ subtasks }: { subtasks: readonly SubtaskView[] }) {
  const { t } = useTranslation();
  const layout = useMemo(() => {
    const graph = new dagre.graphlib.Graph();
    graph.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 48 });
    graph.setDefaultEdgeLabel(() => ({}));
    for (const s of subtasks) graph.setNode(s.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
    for (const s of subtasks) for (const dep of s.dependsOn) graph.setEdge(dep, s.id);
    dagre.layout(graph);
    return graph;
  }, [subtasks]);
  const nodes: Node[] = subtasks.map((s) => {
    const at = layout.node(s.id);
    return {
      id: s.id,
      position: { x: (at?.x ?? 0) - NODE_WIDTH / 2, y: (at?.y ?? 0) - NODE_HEIGHT / 2 },
      data: { label: `${s.title} · ${t(`status.${s.status}`)}` },
      className: `node ${s.status}`,
      draggable: false,
      connectable: false,
      width: NODE_WIDTH,
    };
  });
  const edges: Edge[] = subtasks.flatMap((s) => s.dependsOn.map((dep) => ({ id: `${dep}->${s.id}`, source: dep, target: s.id })));
  return (
    <div className="dag" data-testid="dag" role="img" aria-label={subtasks.map((s) => `${s.title}: ${t(`status.${s.status}`)}`).join("; ")}>
      <ReactFlow nodes={nodes} edges={edges} fitView nodesDraggable={false} nodesConnectable={false} proOptions={{ hideAttribution: true }}>
        <Background />
      </ReactFlow>
    </div>
  );
}
