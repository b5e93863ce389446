import { useTranslation } from "react-i18next";
import type { StepList } from "../../api.js";
import { formatMs, formatNumber } from "../../i18n.js";

/** What the run used against each budget the server enforces (0 there: no limit). */
export function BudgetUse({ usage, budget }: Pick<StepList, "usage" | "budget">) {
  const { t, i18n } = useTranslation();
  const whole = (value: number) => formatNumber(value, i18n.language, 0);
  const money = (value: number) => formatNumber(value, i18n.language, 4);
  const time = (value: number) => formatMs(value, i18n.language);
  const rows = [
    { label: t("budget.tokens"), used: usage.tokens.totalTokens, max: budget.maxTokens, format: whole },
    { label: t("budget.toolCalls"), used: usage.toolCalls, max: budget.maxToolCalls, format: whole },
    { label: t("budget.time"), used: usage.elapsedMs, max: budget.maxMs, format: time },
    { label: t("budget.cost"), used: usage.cost, max: budget.maxCost, format: money },
  ];
  return (
    <table data-testid="budget">
      <thead>
        <tr><th scope="col">{t("budget.what")}</th><th scope="col">{t("budget.used")}</th><th scope="col">{t("budget.limit")}</th><th scope="col">{t("budget.share")}</th></tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.label}>
            <th scope="row">{row.label}</th>
            <td>{row.format(row.used)}</td>
            <td>{row.max > 0 ? row.format(row.max) : t("budget.none")}</td>
            <td>{row.max > 0 ? <meter min={0} max={row.max} value={Math.min(row.used, row.max)} aria-label={row.label}>{whole((row.used / row.max) * 100)} %</meter> : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
