import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { authHeaders } from "../api.js";
import type { Ready } from "../api.js";
import { formatNumber } from "../i18n.js";
import { parsePrometheusText, total } from "../prometheus-text.js";
import type { Sample } from "../prometheus-text.js";

const REFRESH_MS = 5_000;

/** Readiness from /readyz, and the queue, workers, cache and errors from /metrics, refreshed. */
export function HealthView() {
  const { t, i18n } = useTranslation();
  // /readyz answers 503 with the same body when not ready: both are an answer to show.
  const ready = useQuery({ queryKey: ["readyz"], queryFn: async () => (await fetch("/readyz")).json() as Promise<Ready>, refetchInterval: REFRESH_MS });
  const metrics = useQuery({
    queryKey: ["metrics"],
    queryFn: async () => {
      const res = await fetch("/metrics", { headers: authHeaders() });
      if (!res.ok) throw new Error(`/metrics: HTTP ${res.status}`);
      return parsePrometheusText(await res.text());
    },
    refetchInterval: REFRESH_MS,
  });
  const n = (value: number | undefined, digits = 0) => (value === undefined ? "—" : formatNumber(value, i18n.language, digits));
  const percent = (value: number | undefined) => (value === undefined ? "—" : `${formatNumber(value * 100, i18n.language, 1)} %`);
  const m = metrics.data ?? [];
  const rows: [string, string][] = [
    [t("health.queueDepth"), n(total(m, "cs_agents_queue_depth_runs"))],
    [t("health.queueAge"), n(total(m, "cs_agents_queue_oldest_age_seconds"), 1)],
    [t("health.inProgress"), n(total(m, "cs_agents_runs_in_progress"))],
    [t("health.reclaimed"), n(total(m, "cs_agents_leases_reclaimed_total"))],
    [t("health.staleWrites"), n(total(m, "cs_agents_stale_writes_rejected_total"))],
    [t("health.cacheHitRatio"), percent(ratio(m, "cs_agents_cache_hits_total", "cs_agents_cache_misses_total"))],
    [t("health.httpErrorRate"), percent(httpErrorRate(m))],
    [t("health.toolErrorRate"), percent(toolErrorRate(m))],
    [t("health.runsFinished"), n(total(m, "cs_agents_runs_total"))],
  ];
  return (
    <>
      <h1>{t("health.title")}</h1>
      <section className="card" aria-labelledby="ready-title">
        <h2 id="ready-title">{t("health.readiness")}</h2>
        {ready.isError && <p role="alert">{t("failed", { message: ready.error.message })}</p>}
        {ready.data && (
          <>
            <p role="status" data-testid="readiness">
              <span className={`badge ${ready.data.status === "ready" ? "succeeded" : "failed"}`}>{t(`health.${ready.data.status}`)}</span>
            </p>
            <dl>
              {Object.entries(ready.data.checks).map(([check, value]) => (
                <div key={check}>
                  <dt>{check}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          </>
        )}
      </section>
      <h2>{t("health.metrics")}</h2>
      {metrics.isError && <p role="alert">{t("failed", { message: metrics.error.message })}</p>}
      <p>{t("health.sinceStart", { seconds: REFRESH_MS / 1_000 })}</p>
      <table data-testid="health">
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function ratio(m: readonly Sample[], hits: string, misses: string): number | undefined {
  const h = total(m, hits) ?? 0;
  const all = h + (total(m, misses) ?? 0);
  return all === 0 ? undefined : h / all;
}

/** Answers with a 5xx status among all the API's answers. */
function httpErrorRate(m: readonly Sample[]): number | undefined {
  const all = total(m, "cs_agents_http_requests_total");
  if (!all) return undefined;
  return (total(m, "cs_agents_http_requests_total", (l) => (l.status ?? "").startsWith("5")) ?? 0) / all;
}

/** Failed tool calls among all tool calls. */
function toolErrorRate(m: readonly Sample[]): number | undefined {
  const all = total(m, "cs_agents_tool_calls_total");
  if (!all) return undefined;
  return (total(m, "cs_agents_tool_calls_total", (l) => l.outcome !== "success" && l.outcome !== "cached") ?? 0) / all;
}
