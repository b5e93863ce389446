import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api } from "../api.js";
import type { AuditList, AuditVerification } from "../api.js";
import { formatNumber, formatTime } from "../i18n.js";

const PAGE = 100;

/** The tenant's audit log page by page, filtered on the page, and the chain's verification state. */
export function AuditView() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const after = params.get("after") ?? "";
  const action = params.get("action") ?? "";
  const actor = params.get("actor") ?? "";
  const target = params.get("target") ?? "";
  const log = useQuery({ queryKey: ["audit", after], queryFn: () => api<AuditList>(`/v1/audit?limit=${PAGE}${after ? `&after=${after}` : ""}`) });
  const set = (next: Record<string, string>) => setParams(Object.fromEntries(Object.entries({ after, action, actor, target, ...next }).filter(([, v]) => v)));
  const actions = [...new Set(log.data?.items.map((e) => e.action) ?? [])].sort();
  const items = (log.data?.items ?? []).filter(
    (e) => (!action || e.action === action) && (!actor || e.actor.includes(actor)) && (!target || (e.target ?? "").includes(target)),
  );
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <Verification />
      <section aria-label={t("audit.log")} className="filters">
        <label>
          {t("audit.action")}{" "}
          <select value={action} onChange={(e) => set({ action: e.target.value })}>
            <option value="">{t("runs.all")}</option>
            {actions.map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          {t("audit.actor")}
          <input value={actor} onChange={(e) => set({ actor: e.target.value })} maxLength={200} />
        </label>
        <label>
          {t("audit.target")}
          <input value={target} onChange={(e) => set({ target: e.target.value })} maxLength={200} />
        </label>
      </section>
      {log.isPending && <p>{t("loading")}</p>}
      {log.isError && <p role="alert">{t("failed", { message: log.error.message })}</p>}
      {log.data && (
        <>
          <p>{t("audit.shown", { shown: formatNumber(items.length, i18n.language, 0), count: formatNumber(log.data.items.length, i18n.language, 0) })}</p>
          <table data-testid="audit">
            <thead>
              <tr><th scope="col">#</th><th scope="col">{t("audit.at")}</th><th scope="col">{t("audit.action")}</th><th scope="col">{t("audit.actor")}</th><th scope="col">{t("audit.target")}</th><th scope="col">{t("audit.hash")}</th></tr>
            </thead>
            <tbody>
              {items.map((e) => (
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
          <div className="pager">
            {after && <button type="button" onClick={() => set({ after: "" })}>{t("runs.first")}</button>}
            {log.data.nextAfter !== null && <button type="button" onClick={() => set({ after: String(log.data.nextAfter) })}>{t("runs.next")}</button>}
          </div>
        </>
      )}
    </>
  );
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
