import { useTranslation } from "react-i18next";
import type { StepView, SubtaskView } from "../../api.js";
import { formatMs } from "../../i18n.js";

interface Bar {
  readonly key: string;
  readonly label: string;
  readonly kind: "subtask" | "tool";
  readonly status: string;
  readonly start: number;
  readonly end: number | undefined;
}

/**
 * A Gantt chart of the subtasks and, under each, its tool calls: bars placed on the run's own
 * time axis, with the duration written out (the bar is drawing, the text is what is read).
 */
export function Timeline({ subtasks, steps, now }: { subtasks: readonly SubtaskView[]; steps: readonly StepView[]; now: number }) {
  const { t, i18n } = useTranslation();
  const bars: Bar[] = [];
  for (const s of subtasks) {
    if (!s.startedAt) continue;
    bars.push({ key: s.id, label: s.title, kind: "subtask", status: s.status, start: Date.parse(s.startedAt), end: s.finishedAt ? Date.parse(s.finishedAt) : undefined });
    for (const step of steps) {
      if (step.kind !== "tool_call" || step.subtaskId !== s.id) continue;
      bars.push({ key: step.key, label: step.tool ?? step.key, kind: "tool", status: step.status, start: Date.parse(step.startedAt), end: step.finishedAt ? Date.parse(step.finishedAt) : undefined });
    }
  }
  if (bars.length === 0) return <p>{t("run.noTimeline")}</p>;
  const from = Math.min(...bars.map((b) => b.start));
  const to = Math.max(from + 1, ...bars.map((b) => b.end ?? now));
  const span = to - from;
  return (
    <ol className="timeline" data-testid="timeline" aria-label={t("run.timeline")}>
      {bars.map((bar) => {
        const end = bar.end ?? now;
        return (
          <li key={bar.key} className={`timeline-row ${bar.kind}`}>
            <span className="timeline-label">{bar.label}</span>
            <span className="timeline-track" aria-hidden="true">
              <span className={`timeline-bar ${bar.status}`} style={{ left: `${((bar.start - from) / span) * 100}%`, width: `${Math.max(0.5, ((end - bar.start) / span) * 100)}%` }} />
            </span>
            <span className="timeline-duration">{bar.end === undefined ? t(bar.kind === "subtask" ? `status.${bar.status}` : `step.status.${bar.status}`) : formatMs(end - bar.start, i18n.language)}</span>
          </li>
        );
      })}
    </ol>
  );
}
