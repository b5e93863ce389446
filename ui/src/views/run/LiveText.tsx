import { useTranslation } from "react-i18next";

/** The text of one model decision while it is generated, by the step it will be journaled as. */
export interface LiveTurn {
  readonly stepKey: string;
  readonly agent: string;
  readonly subtaskId: string;
  readonly text: string;
}

/**
 * What the models are writing right now. A turn leaves this panel once its step is journaled:
 * from then on the step (in Steps) holds the whole answer, and a reload shows it from there.
 */
export function LiveText({ turns, journaled }: { turns: readonly LiveTurn[]; journaled: ReadonlySet<string> }) {
  const { t } = useTranslation();
  const open = turns.filter((turn) => !journaled.has(turn.stepKey));
  if (open.length === 0) return null;
  return (
    <section aria-label={t("run.liveText")} data-testid="live-text">
      <h2>{t("run.liveText")}</h2>
      {open.map((turn) => (
        <div key={turn.stepKey} data-step-key={turn.stepKey}>
          <p>
            <strong>{turn.agent}</strong> · {turn.subtaskId}
          </p>
          <pre aria-live="polite">{turn.text}</pre>
        </div>
      ))}
    </section>
  );
}
