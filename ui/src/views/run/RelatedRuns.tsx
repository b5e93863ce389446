import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { RunStatus } from "../../api.js";

/** Runs linked to this one (its child runs, its forks): each a link, where it hangs, its status. */
export function RelatedRuns({ testId, label, runs }: { testId: string; label: string; runs: readonly { id: string; where: string; status: RunStatus }[] }) {
  const { t } = useTranslation();
  if (runs.length === 0) return null;
  return (
    <p data-testid={testId}>
      {label}:{" "}
      {runs.map((run, i) => (
        <span key={run.id}>
          {i > 0 && ", "}
          <Link to={`/runs/${run.id}`}>{run.id}</Link> (<code>{run.where}</code>, {t(`status.${run.status}`)})
        </span>
      ))}
    </p>
  );
}
