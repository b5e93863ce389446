import { useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api } from "../api.js";
import type { AuditList, AuditVerification } from "../api.js";
import { formatNumber, formatTime } from "../i18n.js";

const PAGE = 100;
/** The actions the service writes; the select also offers any other action the page shows. */
const ACTIONS = [
  "task.submitted", "task.cancelled", "approval.approved", "approval.denied", "approval.done", "approval.expired", "approval.mismatch",
  "tool.sensitive_call", "tool.refused", "model.output", "auth.failed",
];
const FILTERS = ["action", "actor", "target", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];

/**
 * The tenant's audit log page by page, filtered by the API (actor, action, target, time range),
 * and the chain's verification state. A filtered page may be short, even empty, while the API
 * still names a next page: it reads a bounded part of the log per request.
 */
export function AuditView() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const after = params.get("after") ?? "";
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])) as Record<Filter, string>;
  const query = new URLSearchParams({ limit: String(PAGE), ...(after ? { after } : {}), ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) });
  const log = useQuery({ queryKey: ["audit", query.toString()], queryFn: () => api<AuditList>(`/v1/audit?${query.toString()}`) });
  const set = (next: Partial<Record<Filter | "after", string>>) => setParams(Object.fromEntries(Object.entries({ ...filters, after, ...next }).filter(([, v]) => v)));
  const actions = [...new Set([...ACTIONS, ...(log.data?.items.map((e) => e.action) ?? []), ...(filters.action ? [filters.action] : [])])].sort();
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    set({ actor: text("actor"), target: text("target"), from: isoOf(text("from")), to: isoOf(text("to")), after: "" });
  };
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <Verification />
      {/* Keyed by the URL's filters: the fields show what the list is filtered by after a link or "back". */}
      <form key={params.toString()} aria-label={t("audit.filters")} className="filters" onSubmit={onSubmit}>
        <label>
          {t("audit.action")}{" "}
          <select value={filters.action} onChange={(e) => set({ action: e.target.value, after: "" })}>
            <option value="">{t("runs.all")}</option>
            {actions.map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          {t("audit.actor")}
          <input name="actor" defaultValue={filters.actor} maxLength={200} />
        </label>
        <label>
          {t("audit.target")}
          <input name="target" defaultValue={filters.target} maxLength={200} />
        </label>
        <label>
          {t("audit.from")}
          <input name="from" type="datetime-local" step={1} defaultValue={localOf(filters.from)} />
        </label>
        <label>
          {t("audit.to")}
          <input name="to" type="datetime-local" step={1} defaultValue={localOf(filters.to)} />
        </label>
        <button type="submit">{t("audit.apply")}</button>
      </form>
      {log.isPending && <p>{t("loading")}</p>}
      {log.isError && <p role="alert">{t("failed", { message: log.error.message })}</p>}
      {log.data && (
        <>
          <p data-testid="audit-count">{t("audit.onPage", { count: log.data.items.length, shown: formatNumber(log.data.items.length, i18n.language, 0) })}</p>
          <table data-testid="audit">
            <thead>
              <tr><th scope="col">#</th><th scope="col">{t("audit.at")}</th><th scope="col">{t("audit.action")}</th><th scope="col">{t("audit.actor")}</th><th scope="col">{t("audit.target")}</th><th scope="col">{t("audit.hash")}</th></tr>
            </thead>
            <tbody>
              {log.data.items.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td>{formatTime(e.at, i18n.language)}</td>
                  <td><code>{e.action}</code></td>
                  <td>{e.actor}</td>
                  <td>{e.target ?? "—"}</td>
                  <td><code title={e.hash}>{e.hash.slice(0, 12)}…</code></td>
                </tr>
              ))}
            </tbody>
          </table>
          {log.data.items.length === 0 && log.data.nextAfter !== null && <p>{t("audit.moreMayFollow")}</p>}
          <div className="pager">
            {after && <button type="button" onClick={() => set({ after: "" })}>{t("runs.first")}</button>}
            {log.data.nextAfter !== null && <button type="button" onClick={() => set({ after: String(log.data.nextAfter) })}>{t("runs.next")}</button>}
          </div>
        </>
      )}
    </>
  );
}

/** A `datetime-local` value (the user's zone) as ISO 8601 in UTC; "" stays "". */
function isoOf(local: string): string {
  const ms = local ? Date.parse(local) : NaN;
  return Number.isNaN(ms) ? "" : new Date(ms).toISOString();
}

/** ISO 8601 as a `datetime-local` value in the user's zone. */
function localOf(iso: string): string {
  const ms = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) return "";
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function Verification() {
  const { t, i18n } = useTranslation();
  const verify = useQuery({ queryKey: ["audit-verification"], queryFn: () => api<AuditVerification>("/v1/audit/verification") });
  const v = verify.data;
  return (
    <section className="card" aria-labelledby="chain-title" data-testid="verification">
      <h2 id="chain-title">{t("audit.chain")}</h2>
      {verify.isPending && <p>{t("loading")}</p>}
      {verify.isError && <p role="alert">{t("failed", { message: verify.error.message })}</p>}
      {v && (
        <>
          <p role="status">
            <span className={`badge ${v.ok ? "succeeded" : "failed"}`}>{v.ok ? t("audit.intact") : t("audit.broken", { seq: v.brokenAt })}</span>{" "}
            {t("audit.verifiedUpTo", { seq: v.entries })}
          </p>
          <dl>
            <dt>{t("audit.head")}</dt>
            <dd>{v.head ? <><span>#{v.head.seq}</span> <code>{v.head.hash}</code></> : "—"}</dd>
            <dt>{t("audit.checkpoint")}</dt>
            <dd>{v.lastCheckpoint ? t("audit.checkpointAt", { seq: v.lastCheckpoint.seq, at: formatTime(v.lastCheckpoint.at, i18n.language) }) : t("audit.noCheckpoint")}</dd>
            {v.reason && (
              <>
                <dt>{t("run.error")}</dt>
                <dd>{v.reason}</dd>
              </>
            )}
            <dt>{t("audit.checkedAt")}</dt>
            <dd>{formatTime(v.checkedAt, i18n.language)}</dd>
          </dl>
          <button type="button" onClick={() => void verify.refetch()} disabled={verify.isFetching}>{t("audit.verify")}</button>
        </>
      )}
    </section>
  );
}
