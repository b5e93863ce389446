import { useTranslation } from "react-i18next";
import type { StepView } from "../../api.js";
import { formatMs, formatNumber } from "../../i18n.js";
import { ForkButton } from "./ForkButton.js";

/** Every journaled step, each one opening to what it was given and returned. */
export function StepDetails({ runId, steps }: { runId: string; steps: readonly StepView[] }) {
  const { t } = useTranslation();
  if (steps.length === 0) return <p>{t("run.noSteps")}</p>;
  return (
    <div data-testid="steps">
      {steps.map((step) => (
        <StepItem key={step.key} runId={runId} step={step} />
      ))}
    </div>
  );
}

function StepItem({ runId, step }: { runId: string; step: StepView }) {
  const { t, i18n } = useTranslation();
  const name = step.tool ?? step.model ?? step.subtaskId ?? step.key;
  return (
    <details className={`step ${step.status}`} data-step-key={step.key}>
      <summary>
        <code>{step.key}</code> · {t(`step.kind.${step.kind}`)} · {name} · <span className={`badge ${step.status}`}>{t(`step.status.${step.status}`)}</span>
        {step.cached && <span className="badge cached">{t("step.cached")}</span>}
        {step.durationMs !== null && ` · ${formatMs(step.durationMs, i18n.language)}`}
      </summary>
      <dl>
        {step.attempts !== null && (
          <>
            <dt>{t("step.attempts")}</dt>
            <dd>{step.attempts === 0 && step.cached ? t("step.fromCache") : t("step.attemptCount", { count: step.attempts, retries: Math.max(0, step.attempts - 1) })}</dd>
          </>
        )}
        {step.usage && (
          <>
            <dt>{t("step.tokens")}</dt>
            <dd>{t("step.tokenSplit", { input: formatNumber(step.usage.inputTokens, i18n.language, 0), output: formatNumber(step.usage.outputTokens, i18n.language, 0), total: formatNumber(step.usage.totalTokens, i18n.language, 0) })}</dd>
            <dt>{t("step.cost")}</dt>
            <dd>{step.cost === null ? t("step.unpriced") : formatNumber(step.cost, i18n.language, 6)}</dd>
          </>
        )}
        {step.error && (
          <>
            <dt>{t("run.error")}</dt>
            <dd><code>{step.error.code}</code> {step.error.message}</dd>
          </>
        )}
      </dl>
      <h4>{step.kind === "model_call" ? t("step.turn") : t("step.input")}</h4>
      <pre tabIndex={0}>{JSON.stringify(step.input, null, 2)}</pre>
      {step.output !== null && (
        <>
          <h4>{step.kind === "model_call" ? t("step.decision") : t("step.output")}</h4>
          <pre tabIndex={0}>{JSON.stringify(step.output, null, 2)}</pre>
        </>
      )}
      {step.kind !== "approval" && <ForkButton runId={runId} stepKey={step.key} />}
    </details>
  );
}
