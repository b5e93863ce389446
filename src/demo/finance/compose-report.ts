import type { Language } from "../../core/index.js";
import type { FinanceMetrics } from "./finance-metrics.js";
import type { Chart } from "./render-charts.js";
import type { PeriodChoice } from "./resolve-quarter.js";
import { buildReportDocument } from "./report-document.js";
import { renderHtml } from "./render-html.js";
import { renderMarkdown } from "./render-markdown.js";

/** The quarterly report as Markdown and as a self-contained HTML page, from one document. */
export function composeReport(m: FinanceMetrics, charts: readonly Chart[], language: Language, period?: PeriodChoice, commentary?: readonly string[]): { markdown: string; html: string } {
  const document = buildReportDocument(m, charts, language, period, commentary);
  return { markdown: renderMarkdown(document), html: renderHtml(document) };
}
