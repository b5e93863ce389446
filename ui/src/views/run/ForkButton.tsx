import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api } from "../../api.js";
import type { RunDetail } from "../../api.js";

/**
 * "Fork from here": a new run with this run's journal up to the step, the step executed again
 * (POST /v1/tasks/{id}/fork); the page then shows the fork. The run itself is not changed.
 */
export function ForkButton({ runId, stepKey }: { runId: string; stepKey: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const fork = useMutation({
    mutationFn: () => api<RunDetail>(`/v1/tasks/${encodeURIComponent(runId)}/fork`, { method: "POST", body: { step: stepKey } }),
    onSuccess: (run) => void navigate(`/runs/${run.id}`),
  });
  return (
    <p>
      <button type="button" onClick={() => fork.mutate()} disabled={fork.isPending} aria-label={t("run.forkStep", { step: stepKey })}>
        {t("run.forkFromHere")}
      </button>
      {fork.isError && <span role="alert"> {t("failed", { message: fork.error.message })}</span>}
    </p>
  );
}
