import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api.js";
import type { Approval, ApprovalBody, ApprovalList } from "../api.js";
import { formatTime } from "../i18n.js";

export function ApprovalsView() {
  const { t } = useTranslation();
  const approvals = useQuery({ queryKey: ["approvals"], queryFn: () => api<ApprovalList>("/v1/approvals"), refetchInterval: 2_000 });
  return (
    <>
      <h1>{t("approvals.title")}</h1>
      {approvals.isPending && <p>{t("loading")}</p>}
      {approvals.isError && <p role="alert">{t("failed", { message: approvals.error.message })}</p>}
      {approvals.data?.items.length === 0 && <p>{t("approvals.empty")}</p>}
      {approvals.data?.items.map((item) => <ApprovalCard key={item.id} item={item} />)}
    </>
  );
}

function ApprovalCard({ item }: { item: Approval }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [reason, setReason] = useState("");
  const decide = useMutation({
    mutationFn: (body: ApprovalBody) => api(`/v1/approvals/${encodeURIComponent(item.id)}`, { method: "POST", body }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["approvals"] }),
  });
  const expired = new Date(item.expiresAt).getTime() < Date.now();
  const send = (decision: "approve" | "deny") => decide.mutate({ decision, argsHash: item.argsHash, ...(reason ? { reason } : {}) });
  return (
    <article className="card" aria-label={`${t("approvals.tool")} ${item.tool}`}>
      <h2>{item.tool}</h2>
      <p>
        {t("approvals.run")}: <Link to={`/runs/${item.runId}`}>{item.runId}</Link> · {t("approvals.expires")}: {formatTime(item.expiresAt, i18n.language)}
        {expired && ` (${t("status.cancelled")})`}
      </p>
      <h3>{t("approvals.args")}</h3>
      <pre>{JSON.stringify(item.input, null, 2)}</pre>
      <label>
        {t("approvals.reason")}
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} />
      </label>
      <button type="button" onClick={() => send("approve")} disabled={decide.isPending}>{t("approvals.approve")}</button>
      <button type="button" className="danger" onClick={() => send("deny")} disabled={decide.isPending}>{t("approvals.deny")}</button>
      {decide.isError && <p role="alert">{t("failed", { message: decide.error.message })}</p>}
    </article>
  );
}
