import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api.js";
import type { ApprovalBody, ApprovalList, StepView } from "../../api.js";

/**
 * For a call whose outcome nobody knows (the worker stopped mid-call): make it again, say it
 * happened and what it returned, or fail it. Sent to POST /v1/approvals/{id}, bound to the
 * arguments' hash the approvals list shows.
 */
export function DecidePanel({ runId, step }: { runId: string; step: StepView }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const approvals = useQuery({ queryKey: ["approvals"], queryFn: () => api<ApprovalList>("/v1/approvals") });
  const approval = approvals.data?.items.find((item) => item.id === step.approvalId);
  const [output, setOutput] = useState("{}");
  const [reason, setReason] = useState("");
  const [invalid, setInvalid] = useState<string | undefined>();
  const decide = useMutation({
    mutationFn: (body: ApprovalBody) => api(`/v1/approvals/${encodeURIComponent(step.approvalId ?? "")}`, { method: "POST", body }),
    onSuccess: () => {
      for (const key of [["run", runId], ["steps", runId], ["approvals"]]) void client.invalidateQueries({ queryKey: key });
    },
  });
  if (!approval) return null;
  const send = (body: Omit<ApprovalBody, "argsHash">) => decide.mutate({ ...body, argsHash: approval.argsHash });
  const done = () => {
    try {
      setInvalid(undefined);
      send({ decision: "done", output: JSON.parse(output) as unknown });
    } catch (error) {
      setInvalid((error as Error).message);
    }
  };
  const titleId = `decide-${step.key.replace(/\W/g, "-")}`;
  return (
    <section className="card decide" aria-labelledby={titleId}>
      <h3 id={titleId}>{t("decide.title", { tool: approval.tool })}</h3>
      <p>{t("decide.why")}</p>
      <pre tabIndex={0}>{JSON.stringify(approval.input, null, 2)}</pre>
      <button type="button" onClick={() => send({ decision: "approve" })} disabled={decide.isPending}>{t("decide.retry")}</button>
      <label>
        {t("decide.output")}
        <textarea value={output} onChange={(e) => setOutput(e.target.value)} rows={4} aria-invalid={invalid !== undefined} />
      </label>
      {invalid && <p role="alert">{t("decide.badJson", { message: invalid })}</p>}
      <button type="button" onClick={done} disabled={decide.isPending}>{t("decide.done")}</button>
      <label>
        {t("approvals.reason")}
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} />
      </label>
      <button type="button" className="danger" onClick={() => send({ decision: "deny", ...(reason ? { reason } : {}) })} disabled={decide.isPending}>{t("decide.fail")}</button>
      {decide.isError && <p role="alert">{t("failed", { message: decide.error.message })}</p>}
    </section>
  );
}
