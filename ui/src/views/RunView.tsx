import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiProblem, api, followRun } from "../api.js";
import type { RunDetail, StepList, StreamEvent, SubtaskView } from "../api.js";
import { formatMs, formatTime } from "../i18n.js";
import { BudgetUse } from "./run/BudgetUse.js";
import { Dag } from "./run/Dag.js";
import { AnswerPanel } from "./run/AnswerPanel.js";
import { DecidePanel } from "./run/DecidePanel.js";
import { LiveText, type LiveTurn } from "./run/LiveText.js";
import { RelatedRuns } from "./run/RelatedRuns.js";
import { StepDetails } from "./run/StepDetails.js";
import { Timeline } from "./run/Timeline.js";

const FINAL = new Set(["succeeded", "failed", "cancelled"]);

export function RunView() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const run = useQuery({ queryKey: ["run", id], queryFn: () => api<RunDetail>(`/v1/tasks/${encodeURIComponent(id)}`) });
  const steps = useQuery({ queryKey: ["steps", id], queryFn: () => api<StepList>(`/v1/tasks/${encodeURIComponent(id)}/steps`), enabled: run.isSuccess });
  const [events, setEvents] = useState<StreamEvent[]>([]);
  const [live, setLive] = useState<Record<string, SubtaskView["status"]>>({});
  const [turns, setTurns] = useState<LiveTurn[]>([]);
  const known = run.isSuccess;

  // Live: each event updates the DAG at once and refreshes the run's details.
  useEffect(() => {
    if (!known) return;
    setEvents([]);
    setLive({});
    setTurns([]);
    return followRun(
      id,
      (event) => {
        setEvents((list) => [...list, event]);
        const subtaskId = typeof event.data.subtaskId === "string" ? event.data.subtaskId : undefined;
        const status = { "subtask.started": "running", "subtask.finished": "succeeded", "subtask.failed": "failed" }[event.type] as SubtaskView["status"] | undefined;
        if (subtaskId && status) setLive((map) => ({ ...map, [subtaskId]: status }));
        if (event.type.startsWith("run.") || event.type.startsWith("subtask.") || event.type.startsWith("approval.")) void client.invalidateQueries({ queryKey: ["run", id] });
        void client.invalidateQueries({ queryKey: ["steps", id] });
      },
      () => {
        void client.invalidateQueries({ queryKey: ["run", id] });
        void client.invalidateQueries({ queryKey: ["steps", id] });
      },
      (delta) =>
        setTurns((list) => {
          const at = list.findIndex((turn) => turn.stepKey === delta.stepKey);
          if (at < 0) return [...list, { stepKey: delta.stepKey, agent: delta.agent, subtaskId: delta.subtaskId, text: delta.text }];
          return list.map((turn, i) => (i === at ? { ...turn, text: turn.text + delta.text } : turn));
        }),
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
        {detail.wakeAt && <> · {t("run.wakes", { time: formatTime(detail.wakeAt, i18n.language) })}</>}
      </p>
      {detail.forkedFrom && (
        <p data-testid="forked-from">
          {t("run.forkedFrom")}: <Link to={`/runs/${detail.forkedFrom.runId}`}>{detail.forkedFrom.runId}</Link> · <code>{detail.forkedFrom.step}</code>
        </p>
      )}
      {detail.parent && (
        <p data-testid="parent">
          {t("run.parent")}: <Link to={`/runs/${detail.parent.id}`}>{detail.parent.id}</Link> · <code>{detail.parent.subtask}</code>
        </p>
      )}
      <RelatedRuns testId="children" label={t("run.children")} runs={detail.children.map((child) => ({ id: child.id, where: child.subtask, status: child.status }))} />
      <RelatedRuns testId="forks" label={t("run.forks")} runs={(detail.forks ?? []).map((fork) => ({ id: fork.id, where: fork.step, status: fork.status }))} />
      {!FINAL.has(detail.status) && (
        <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>{t("run.cancel")}</button>
      )}
      {detail.error && <p role="alert">{t("run.error")}: {detail.error.message}</p>}
      {detail.pendingApprovals.length > 0 && (
        <p>
          {t("run.approvals")}: <Link to="/approvals">{detail.pendingApprovals.length}</Link>
        </p>
      )}
      {detail.questions.map((question) => <AnswerPanel key={`${question.runId ?? detail.id}:${question.step}`} runId={question.runId ?? detail.id} question={question} />)}
      {steps.data?.items
        .filter((step) => step.kind === "tool_call" && step.status === "ambiguous")
        .map((step) => <DecidePanel key={step.key} runId={detail.id} step={step} />)}
      <LiveText turns={turns} journaled={new Set(steps.data?.items.map((step) => step.key) ?? [])} />
      <h2>{t("run.plan")}</h2>
      {subtasks.length > 0 ? <Dag subtasks={subtasks} /> : <p>{t("run.noPlan")}</p>}
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
      <h2>{t("run.timeline")}</h2>
      <Timeline subtasks={subtasks} steps={steps.data?.items ?? []} now={FINAL.has(detail.status) ? Date.parse(detail.updatedAt) : Date.now()} />
      <h2>{t("run.budget")}</h2>
      {steps.data && <BudgetUse usage={steps.data.usage} budget={steps.data.budget} />}
      <h2>{t("run.steps")}</h2>
      {steps.isError && <p role="alert">{t("failed", { message: steps.error.message })}</p>}
      {steps.data && <StepDetails runId={detail.id} steps={steps.data.items} />}
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
