import type { Language } from "../../core/index.js";
import type { FinanceMetrics } from "./finance-metrics.js";
import { NO_FIGURE } from "./format-figures.js";
import { quarterLabel } from "./quarter.js";
import type { Chart } from "./render-charts.js";
import { reportCommentary } from "./report-commentary.js";
import { balanceSheetTable, cashFlowTable, incomeStatementTable, revenueByLineTable, summaryFigures, type FigureTable } from "./report-figures.js";
import { REPORT_TEXT } from "./report-text.js";
import type { PeriodChoice } from "./resolve-quarter.js";
import { STATEMENT_TEXT } from "./statement-text.js";
import { writeSummaryBullet } from "./summary-bullet.js";

/**
 * One block of the report. Text may hold `**bold**`, the only inline markup; each renderer
 * turns it into its own form.
 */
export type ReportBlock =
  | { readonly kind: "heading"; readonly text: string }
  | { readonly kind: "paragraph"; readonly text: string }
  | { readonly kind: "bullets"; readonly items: readonly string[] }
  | { readonly kind: "table"; readonly table: FigureTable }
  | { readonly kind: "chart"; readonly chart: Chart };

/** The report before it is written as Markdown or HTML, so both say exactly the same. */
export interface ReportDocument {
  readonly language: Language;
  readonly title: string;
  readonly blocks: readonly ReportBlock[];
}

function statementBlocks(m: FinanceMetrics, language: Language): ReportBlock[] {
  const balance = balanceSheetTable(m, language);
  const flow = cashFlowTable(m, language);
  if (!balance || !flow) return [];
  const t = STATEMENT_TEXT[language];
  return [
    { kind: "heading", text: t.balanceSheet },
    { kind: "table", table: balance },
    { kind: "heading", text: t.cashFlow },
    { kind: "table", table: flow },
  ];
}

/**
 * Builds the quarterly report from the metrics and rendered charts, in `language`. `commentary`
 * (a model's paragraphs, already checked against the statements) replaces the built-in
 * commentary section; the summary, statements and charts are always built from the metrics.
 */
export function buildReportDocument(m: FinanceMetrics, charts: readonly Chart[], language: Language, period?: PeriodChoice, commentary?: readonly string[]): ReportDocument {
  const text = REPORT_TEXT[language];
  const label = (quarter: string | null) => (quarter === null ? null : quarterLabel(quarter, language));
  const built = reportCommentary(m, language);
  const lead = built.lead;
  const paragraphs = commentary && commentary.length > 0 ? commentary : built.paragraphs;
  const bullets = summaryFigures(m, language).map((figure) => writeSummaryBullet(figure, language).replace(/^- /, ""));
  const blocks: ReportBlock[] = [
    { kind: "paragraph", text: text.subtitle(label(m.previousQuarter), label(m.yearAgoQuarter)) },
    ...(period ? [{ kind: "paragraph", text: text.periodChoice(period.today, quarterLabel(period.lastEnded, language), quarterLabel(m.quarter, language)) } as const] : []),
    { kind: "heading", text: text.headings.summary },
    { kind: "paragraph", text: lead },
    { kind: "bullets", items: bullets },
    { kind: "heading", text: text.headings.incomeStatement },
    { kind: "table", table: incomeStatementTable(m, language) },
    ...statementBlocks(m, language),
    { kind: "heading", text: text.headings.revenueByLine },
    { kind: "table", table: revenueByLineTable(m, language) },
    { kind: "heading", text: text.headings.commentary },
    ...paragraphs.map((p): ReportBlock => ({ kind: "paragraph", text: p })),
    { kind: "heading", text: text.headings.charts },
    ...charts.map((chart): ReportBlock => ({ kind: "chart", chart })),
    { kind: "heading", text: text.headings.notes },
    { kind: "bullets", items: text.notes },
  ];
  return { language, title: text.title(m.company[language], label(m.quarter) ?? NO_FIGURE), blocks };
}
