import type { Language } from "../../core/index.js";
import type { AmountMetric, FinanceMetrics, LineItem, RatioMetric } from "./finance-metrics.js";
import { formatAmount, formatChangePct, formatChangePp, formatPercent, NO_FIGURE } from "./format-figures.js";
import { quarterLabel } from "./quarter.js";
import { REPORT_TEXT } from "./report-text.js";

export interface FigureRow {
  readonly label: string;
  /** Every cell after the label, formatted exactly as the report shows it. */
  readonly cells: readonly string[];
  /** A total: shown in bold. */
  readonly strong: boolean;
  /** A component of the total above it. */
  readonly indent: boolean;
}

export interface FigureTable {
  readonly columns: readonly string[];
  readonly rows: readonly FigureRow[];
}

/** One key figure of the executive summary: its level and changes, formatted. */
export interface SummaryFigure {
  readonly label: string;
  readonly value: string;
  readonly unit: "%" | "pp";
  readonly qoq: number | null;
  readonly yoy: number | null;
}

const label = (quarter: string | null, language: Language) => (quarter === null ? NO_FIGURE : quarterLabel(quarter, language));

function amountRow(name: string, m: AmountMetric, options: { strong?: boolean; indent?: boolean } = {}): FigureRow {
  const cells = [formatAmount(m.cents), formatAmount(m.previousCents), formatChangePct(m.qoqPct), formatAmount(m.yearAgoCents), formatChangePct(m.yoyPct)];
  return { label: name, cells, strong: options.strong ?? false, indent: options.indent ?? false };
}

function ratioRow(name: string, m: RatioMetric): FigureRow {
  const cells = [formatPercent(m.pct), formatPercent(m.previousPct), formatChangePp(m.qoqPp), formatPercent(m.yearAgoPct), formatChangePp(m.yoyPp)];
  return { label: name, cells, strong: false, indent: false };
}

const itemRows = (items: readonly LineItem[], language: Language) => items.map((item) => amountRow(item.name[language], item.amount, { indent: true }));

/**
 * The income statement as the report prints it: the quarter, the previous quarter, QoQ, the
 * quarter a year earlier, YoY. The report and its review both build it from the metrics.
 */
export function incomeStatementTable(m: FinanceMetrics, language: Language): FigureTable {
  const { rows: r, columns: c } = REPORT_TEXT[language];
  return {
    columns: [c.item, label(m.quarter, language), label(m.previousQuarter, language), c.qoq, label(m.yearAgoQuarter, language), c.yoy],
    rows: [
      amountRow(r.revenue, m.revenue, { strong: true }),
      ...itemRows(m.revenueByLine, language),
      amountRow(r.costOfSales, m.costOfSales, { strong: true }),
      ...itemRows(m.costOfSalesByItem, language),
      amountRow(r.grossProfit, m.grossProfit, { strong: true }),
      ratioRow(r.grossMargin, m.grossMargin),
      amountRow(r.operatingExpenses, m.operatingExpenses, { strong: true }),
      ...itemRows(m.operatingExpensesByItem, language),
      amountRow(r.operatingIncome, m.operatingIncome, { strong: true }),
      ratioRow(r.operatingMargin, m.operatingMargin),
      amountRow(r.netInterest, m.netInterest),
      amountRow(r.pretaxIncome, m.pretaxIncome, { strong: true }),
      amountRow(r.incomeTax, m.incomeTax),
      amountRow(r.netIncome, m.netIncome, { strong: true }),
      ratioRow(r.netMargin, m.netMargin),
    ],
  };
}

/** Revenue by line: the quarter, its share of revenue, QoQ and YoY, then the total. */
export function revenueByLineTable(m: FinanceMetrics, language: Language): FigureTable {
  const { rows: r, columns: c } = REPORT_TEXT[language];
  const row = (name: string, a: AmountMetric, sharePct: number, strong: boolean): FigureRow => ({
    label: name,
    cells: [formatAmount(a.cents), formatPercent(sharePct), formatChangePct(a.qoqPct), formatChangePct(a.yoyPct)],
    strong,
    indent: false,
  });
  return {
    columns: [c.line, label(m.quarter, language), c.share, c.qoq, c.yoy],
    rows: [...m.revenueByLine.map((line) => row(line.name[language], line.amount, line.sharePct, false)), row(r.revenue, m.revenue, 100, true)],
  };
}

/** The key figures the executive summary states in words. */
export function summaryFigures(m: FinanceMetrics, language: Language): SummaryFigure[] {
  const { rows: r } = REPORT_TEXT[language];
  const amount = (name: string, a: AmountMetric): SummaryFigure => ({ label: name, value: formatAmount(a.cents), unit: "%", qoq: a.qoqPct, yoy: a.yoyPct });
  const ratio = (name: string, a: RatioMetric): SummaryFigure => ({ label: name, value: formatPercent(a.pct), unit: "pp", qoq: a.qoqPp, yoy: a.yoyPp });
  return [
    amount(r.revenue, m.revenue),
    amount(r.grossProfit, m.grossProfit),
    ratio(r.grossMargin, m.grossMargin),
    amount(r.operatingIncome, m.operatingIncome),
    ratio(r.operatingMargin, m.operatingMargin),
    amount(r.netIncome, m.netIncome),
  ];
}

/** A change as the tables print it, for comparing with what the summary says in words. */
export function formatChange(change: number | null, unit: "%" | "pp"): string {
  return unit === "%" ? formatChangePct(change) : formatChangePp(change);
}
