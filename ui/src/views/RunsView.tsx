import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { api } from "../api.js";
import type { RunDetail, RunList, RunStatus, SubmitBody } from "../api.js";
import { formatNumber, formatTime } from "../i18n.js";
import { runsQuery } from "../runs-query.js";

const STATUSES: readonly RunStatus[] = ["queued", "planning", "running", "waiting_approval", "sleeping", "waiting_input", "waiting_children", "succeeded", "failed", "cancelled"];

export function RunsView() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const cursor = params.get("cursor") ?? "";
  const runs = useQuery(runsQuery(status, cursor));
  // The cursors of the pages before this one ("" for the first), kept in the history entry, not
  // the URL: the API pages forward only, so "previous" goes back to the cursor that led here.
  const back = backOf(useLocation().state);
  const go = (next: Record<string, string>, nextBack: readonly string[]) =>
    setParams(Object.fromEntries(Object.entries({ status, ...next }).filter(([, v]) => v)), { state: { back: nextBack } });

  return (
    <>
      <h1>{t("runs.title")}</h1>
      <SubmitForm />
      <section aria-label={t("runs.title")}>
        <label>
          {t("runs.status")}{" "}
          <select value={status} onChange={(e) => go({ status: e.target.value, cursor: "" }, [])}>
            <option value="">{t("runs.all")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>{t(`status.${s}`)}</option>
            ))}
          </select>
        </label>
        {runs.isPending && <p>{t("loading")}</p>}
        {runs.isError && <p role="alert">{t("failed", { message: runs.error.message })}</p>}
        {runs.data && (
          <>
            <p data-testid="counts">{[t("runs.count", { count: runs.data.items.length }), ...countsOf(runs.data).map(([s, n]) => `${t(`status.${s}`)} ${formatNumber(n, i18n.language, 0)}`)].join(" · ")}</p>
            {runs.data.items.length === 0 ? (
              <p>{t("runs.empty")}</p>
            ) : (
              <table>
                <thead>
                  <tr><th scope="col">{t("runs.description")}</th><th scope="col">{t("runs.status")}</th><th scope="col">{t("runs.created")}</th></tr>
                </thead>
                <tbody>
                  {runs.data.items.map((run) => (
                    <tr key={run.id}>
                      <td><Link to={`/runs/${run.id}`}>{run.description}</Link></td>
                      <td><span className={`badge ${run.status}`}>{t(`status.${run.status}`)}</span></td>
                      <td>{formatTime(run.createdAt, i18n.language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <nav className="pager" aria-label={t("runs.pages")}>
              {cursor && <button type="button" onClick={() => go({ cursor: "" }, [])}>{t("runs.first")}</button>}
              {back.length > 0 && <button type="button" onClick={() => go({ cursor: back[back.length - 1] ?? "" }, back.slice(0, -1))}>{t("runs.previous")}</button>}
              {(!cursor || back.length > 0) && <span data-testid="page">{t("runs.page", { page: formatNumber(back.length + 1, i18n.language, 0) })}</span>}
              {runs.data.nextCursor && <button type="button" onClick={() => go({ cursor: runs.data.nextCursor ?? "" }, [...back, cursor])}>{t("runs.next")}</button>}
            </nav>
          </>
        )}
      </section>
    </>
  );
}

function backOf(state: unknown): readonly string[] {
  const back = (state as { back?: unknown } | null)?.back;
  return Array.isArray(back) ? back.filter((c): c is string => typeof c === "string") : [];
}

function countsOf(list: RunList): [RunStatus, number][] {
  const counts = new Map<RunStatus, number>();
  for (const run of list.items) counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
  return [...counts.entries()];
}

function SubmitForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [description, setDescription] = useState("生成季度财务报告");
  const [key, setKey] = useState("");
  const submit = useMutation({
    mutationFn: (body: SubmitBody) => api<RunDetail>("/v1/tasks", { method: "POST", body, headers: key ? { "idempotency-key": key } : {} }),
    onSuccess: (run) => {
      void client.invalidateQueries({ queryKey: ["runs"] });
      void navigate(`/runs/${run.id}`);
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate({ description });
  };
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="submit-title">
      <h2 id="submit-title">{t("runs.submit")}</h2>
      <label>
        {t("runs.task")}
        <input value={description} onChange={(e) => setDescription(e.target.value)} required maxLength={4000} />
      </label>
      <label>
        {t("runs.idempotencyKey")}
        <input value={key} onChange={(e) => setKey(e.target.value)} maxLength={200} />
      </label>
      <button type="submit" disabled={submit.isPending}>{t("runs.run")}</button>
      {submit.isError && <p role="alert">{t("failed", { message: submit.error.message })}</p>}
    </form>
  );
}
