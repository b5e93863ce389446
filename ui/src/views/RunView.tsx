import dagre from "@dagrejs/dagre";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Background, ReactFlow } from "@xyflow/react";
import type { Edge, Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiProblem, api, followRun } from "../api.js";
import type { RunDetail, StreamEvent, SubtaskView } from "../api.js";
import { formatMs, formatTime } from "../i18n.js";

const FINAL = new Set(["succeeded", "failed", "cancelled"]);

export function RunView() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const run = useQuery({ queryKey: ["run", id], queryFn: () => api<RunDetail>(`/v1/tasks/${encodeURIComponent(id)}`) });
  const [events, setEvents] = useState<StreamEvent[]>([]);
  const [live, setLive] = useState<Record<string, SubtaskView["status"]>>({});
  const known = run.isSuccess;

  // Live: each event updates the DAG at once and refreshes the run's details.
  useEffect(() => {
    if (!known) return;
    setEvents([]);
    setLive({});
    return followRun(
      id,
      (event) => {
        setEvents((list) => [...list, event]);
        const subtaskId = typeof event.data.subtaskId === "string" ? event.data.subtaskId : undefined;
        const status = { "subtask.started": "running", "subtask.finished": "succeeded", "subtask.failed": "failed" }[event.type] as SubtaskView["status"] | undefined;
        if (subtaskId && status) setLive((map) => ({ ...map, [subtaskId]: status }));
        if (event.type.startsWith("run.") || event.type.startsWith("subtask.") || event.type.startsWith("approval.")) void client.invalidateQueries({ queryKey: ["run", id] });
      },
      () => void client.invalidateQueries({ queryKey: ["run", id] }),
    );
  }, [id, known, client]);

  const cancel = useMutation({
    mutationFn: () => api<RunDetail>(`/v1/tasks/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["run", id] }),
  });

  if (run.isPending) return <p>{t("loading")}</p>;
  if (run.isError) {
    const notFound = run.error instanceof ApiProblem && run.error.status === 404;
    return (
      <>
        <h1>{notFound ? t("run.notFound", { id }) : t("failed", { message: run.error.message })}</h1>
        <Link to="/">{t("run.back")}</Link>
      </>
    );
  }
  const detail = run.data;
  const subtasks = detail.subtasks.map((s) => ({ ...s, status: rank(live[s.id]) > rank(s.status) ? (live[s.id] ?? s.status) : s.status }));
  return (
    <>
      <h1>{detail.description}</h1>
      <p>
        <span className={`badge ${detail.status}`} data-testid="run-status">{t(`status.${detail.status}`)}</span> · {detail.id} · {formatTime(detail.createdAt, i18n.language)} · {formatMs(detail.durationMs, i18n.language)}
      </p>
      {!FINAL.has(detail.status) && (
        <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>{t("run.cancel")}</button>
      )}
      {detail.error && <p role="alert">{t("run.error")}: {detail.error.message}</p>}
      {detail.pendingApprovals.length > 0 && (
        <p>
          {t("run.approvals")}: <Link to="/approvals">{detail.pendingApprovals.length}</Link>
        </p>
      )}
      <h2>{t("run.plan")}</h2>
      <Dag subtasks={subtasks} />
      <h2>{t("run.subtasks")}</h2>
      <table>
        <thead>
          <tr><th scope="col">{t("run.subtasks")}</th><th scope="col">{t("run.agent")}</th><th scope="col">{t("runs.status")}</th><th scope="col">{t("run.calls")}</th><th scope="col">{t("run.duration")}</th></tr>
        </thead>
        <tbody>
          {subtasks.map((s) => (
            <tr key={s.id}>
              <td>{s.title}</td>
              <td>{s.agent}</td>
              <td><span className={`badge ${s.status}`}>{t(`status.${s.status}`)}</span></td>
              <td>{s.calls}</td>
              <td>{formatMs(s.durationMs, i18n.language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail.artifacts.length > 0 && (
        <>
          <h2>{t("run.artifacts")}</h2>
          <ul>
            {detail.artifacts.map((a) => (
              <li key={a.name}><a href={a.href} download>{a.name}</a> ({a.mediaType}, {a.bytes} B)</li>
            ))}
          </ul>
        </>
      )}
      <h2>{t("run.events")}</h2>
      <ol className="events" data-testid="events" tabIndex={0} aria-label={t("run.events")}>
        {events.map((e) => (
          <li key={e.id} data-event-id={e.id}>
            <code>{e.type}</code> {typeof e.data.subtaskId === "string" ? e.data.subtaskId : ""} {typeof e.data.tool === "string" ? e.data.tool : ""}
          </li>
        ))}
      </ol>
    </>
  );
}

function rank(status: SubtaskView["status"] | undefined): number {
  return status === undefined ? -1 : { pending: 0, running: 1, succeeded: 2, failed: 2, cancelled: 2 }[status];
}

const NODE_WIDTH = 200;
const NODE_HEIGHT = 56;

function Dag({ subtasks }: { subtasks: readonly SubtaskView[] }) {
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
