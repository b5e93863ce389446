import type { Language } from "../../core/index.js";
import type { AmountMetric, FinanceMetrics, LineItem, RatioMetric } from "./finance-metrics.js";
import { formatChangePct, formatChangePp, formatPercent, formatPercentTenths, formatShown, NO_FIGURE, shownOneDecimal } from "./format-figures.js";
import { quarterLabel } from "./quarter.js";
import { REPORT_TEXT } from "./report-text.js";
import { STATEMENT_TEXT } from "./statement-text.js";
import { sharesInTenths, shownIncomeOf, type ShownIncome } from "./shown-income.js";

/**
 * A cell's figure as a number, rounded as shown, for a spreadsheet: an amount in thousands, a
 * level in percent, a change in percent or in percentage points; null where the cell shows —.
 */
export type FigureValue = { readonly unit: "thousand" | "percent" | "changePct" | "changePp"; readonly value: number } | null;

export interface FigureRow {
  readonly label: string;
  /** Every cell after the label, formatted exactly as the report shows it. */
  readonly cells: readonly string[];
  /** The same cells as numbers, one per cell. */
  readonly values: readonly FigureValue[];
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
  /** An amount's sign in each period (cents; null without that period), so words can say "loss narrowed". */
  readonly levels?: { readonly now: number; readonly previous: number | null; readonly yearAgo: number | null };
}

const thousands = (tenths: number | null | undefined): FigureValue => (tenths == null ? null : { unit: "thousand", value: tenths / 10 });
const rounded = (unit: "percent" | "changePct" | "changePp", value: number | null): FigureValue => (value === null ? null : { unit, value: shownOneDecimal(value) });

const label = (quarter: string | null, language: Language) => (quarter === null ? NO_FIGURE : quarterLabel(quarter, language));

/** The three shown statements a table's amount columns come from. */
interface ShownColumns {
  readonly current: ShownIncome;
  readonly previous: ShownIncome | null;
  readonly yearAgo: ShownIncome | null;
}

function shownColumns(m: FinanceMetrics): ShownColumns {
  const current = shownIncomeOf(m, "current");
  if (current === null) throw new RangeError(`the metrics for ${m.quarter} have no complete income statement`);
  return { current, previous: shownIncomeOf(m, "previous"), yearAgo: shownIncomeOf(m, "yearAgo") };
}

type Pick = (s: ShownIncome) => number | undefined;

const negate = (value: number | null) => (value === null || value === 0 ? value : -value);

/** The same amount seen from the other side (income as a cost): every figure and change negated. */
function negated(a: AmountMetric): AmountMetric {
  return { cents: -a.cents, previousCents: negate(a.previousCents), yearAgoCents: negate(a.yearAgoCents), qoqPct: negate(a.qoqPct), yoyPct: negate(a.yoyPct) };
}

function amountRow(name: string, shown: ShownColumns, pick: Pick, m: AmountMetric, options: { strong?: boolean; indent?: boolean } = {}): FigureRow {
  const tenths = (s: ShownIncome | null) => (s === null ? null : (pick(s) ?? null));
  const at = (s: ShownIncome | null) => formatShown(tenths(s));
  const cells = [at(shown.current), at(shown.previous), formatChangePct(m.qoqPct), at(shown.yearAgo), formatChangePct(m.yoyPct)];
  const values = [thousands(tenths(shown.current)), thousands(tenths(shown.previous)), rounded("changePct", m.qoqPct), thousands(tenths(shown.yearAgo)), rounded("changePct", m.yoyPct)];
  return { label: name, cells, values, strong: options.strong ?? false, indent: options.indent ?? false };
}

function ratioRow(name: string, m: RatioMetric): FigureRow {
  const cells = [formatPercent(m.pct), formatPercent(m.previousPct), formatChangePp(m.qoqPp), formatPercent(m.yearAgoPct), formatChangePp(m.yoyPp)];
  const values = [rounded("percent", m.pct), rounded("percent", m.previousPct), rounded("changePp", m.qoqPp), rounded("percent", m.yearAgoPct), rounded("changePp", m.yoyPp)];
  return { label: name, cells, values, strong: false, indent: false };
}

const itemRows = (items: readonly LineItem[], language: Language, shown: ShownColumns, list: (s: ShownIncome) => readonly number[]) =>
  items.map((item, i) => amountRow(item.name[language], shown, (s) => list(s)[i], item.amount, { indent: true }));

/**
 * The income statement as the report prints it: the quarter, the previous quarter, QoQ, the
 * quarter a year earlier, YoY. The report and its review both build it from the metrics.
 */
export function incomeStatementTable(m: FinanceMetrics, language: Language): FigureTable {
  const { rows: r, columns: c } = REPORT_TEXT[language];
  const shown = shownColumns(m);
  const row = (name: string, key: keyof ShownIncome & keyof FinanceMetrics, options: { strong?: boolean } = {}) =>
    amountRow(name, shown, (s) => s[key] as number, m[key] as AmountMetric, options);
  return {
    columns: [c.item, label(m.quarter, language), label(m.previousQuarter, language), c.qoq, label(m.yearAgoQuarter, language), c.yoy],
    rows: [
      row(r.revenue, "revenue", { strong: true }),
      ...itemRows(m.revenueByLine, language, shown, (s) => s.revenueLines),
      row(r.costOfSales, "costOfSales", { strong: true }),
      ...itemRows(m.costOfSalesByItem, language, shown, (s) => s.costOfSalesItems),
      row(r.grossProfit, "grossProfit", { strong: true }),
      ratioRow(r.grossMargin, m.grossMargin),
      row(r.operatingExpenses, "operatingExpenses", { strong: true }),
      ...itemRows(m.operatingExpensesByItem, language, shown, (s) => s.operatingExpenseItems),
      row(r.operatingIncome, "operatingIncome", { strong: true }),
      ratioRow(r.operatingMargin, m.operatingMargin),
      // Net interest is mostly an expense, so it is shown as one (财务费用): a rise in the cost reads
      // as a positive change, never as "+7.7%" on a negative figure that got smaller.
      amountRow(r.financeCosts, shown, (s) => -s.netInterest, negated(m.netInterest)),
      row(r.pretaxIncome, "pretaxIncome", { strong: true }),
      row(r.incomeTax, "incomeTax"),
      row(r.netIncome, "netIncome", { strong: true }),
      ratioRow(r.netMargin, m.netMargin),
    ],
  };
}

/** Revenue by line: the quarter, its share of revenue, QoQ and YoY, then the total. */
export function revenueByLineTable(m: FinanceMetrics, language: Language): FigureTable {
  const { rows: r, columns: c } = REPORT_TEXT[language];
  const { current } = shownColumns(m);
  const shares = sharesInTenths(current.revenueLines);
  const row = (name: string, tenths: number, a: AmountMetric, shareTenths: number, strong: boolean): FigureRow => ({
    label: name,
    cells: [formatShown(tenths), formatPercentTenths(shareTenths), formatChangePct(a.qoqPct), formatChangePct(a.yoyPct)],
    values: [thousands(tenths), { unit: "percent", value: shareTenths / 10 }, rounded("changePct", a.qoqPct), rounded("changePct", a.yoyPct)],
    strong,
    indent: false,
  });
  const lines = m.revenueByLine.map((line, i) => row(line.name[language], current.revenueLines[i] ?? 0, line.amount, shares[i] ?? 0, false));
  return { columns: [c.line, label(m.quarter, language), c.share, c.qoq, c.yoy], rows: [...lines, row(r.revenue, current.revenue, m.revenue, 1000, true)] };
}

/** The key figures the executive summary states in words. */
export function summaryFigures(m: FinanceMetrics, language: Language): SummaryFigure[] {
  const { rows: r } = REPORT_TEXT[language];
  const { current } = shownColumns(m);
  const amount = (name: string, a: AmountMetric, tenths: number): SummaryFigure => ({
    label: name,
    value: formatShown(tenths),
    unit: "%",
    qoq: a.qoqPct,
    yoy: a.yoyPct,
    levels: { now: a.cents, previous: a.previousCents, yearAgo: a.yearAgoCents },
  });
  const ratio = (name: string, a: RatioMetric): SummaryFigure => ({ label: name, value: formatPercent(a.pct), unit: "pp", qoq: a.qoqPp, yoy: a.yoyPp });
  return [
    amount(r.revenue, m.revenue, current.revenue),
    amount(r.grossProfit, m.grossProfit, current.grossProfit),
    ratio(r.grossMargin, m.grossMargin),
    amount(r.operatingIncome, m.operatingIncome, current.operatingIncome),
    ratio(r.operatingMargin, m.operatingMargin),
    amount(r.netIncome, m.netIncome, current.netIncome),
  ];
}

/** A change as the tables print it, for comparing with what the summary says in words. */
export function formatChange(change: number | null, unit: "%" | "pp"): string {
  return unit === "%" ? formatChangePct(change) : formatChangePp(change);
}

/** The balance sheet at the quarter's end and the previous quarter's end; undefined without statements. */
export function balanceSheetTable(m: FinanceMetrics, language: Language): FigureTable | undefined {
  if (!m.statements) return undefined;
  const { balanceSheet: now, previousBalanceSheet: before, previousQuarterEnd } = m.statements;
  const t = STATEMENT_TEXT[language];
  return {
    columns: [REPORT_TEXT[language].columns.item, t.quarterEnd(quarterLabel(m.quarter, language)), t.quarterEnd(quarterLabel(previousQuarterEnd, language)), t.change],
    rows: t.balanceLines.map(({ key, label: name, strong }) => ({
      label: name,
      cells: [formatShown(now[key]), formatShown(before[key]), formatShown(now[key] - before[key])],
      values: [thousands(now[key]), thousands(before[key]), thousands(now[key] - before[key])],
      strong,
      indent: false,
    })),
  };
}

/** The quarter's cash-flow statement (indirect method); undefined without statements. */
export function cashFlowTable(m: FinanceMetrics, language: Language): FigureTable | undefined {
  if (!m.statements) return undefined;
  const flow = m.statements.cashFlow;
  const t = STATEMENT_TEXT[language];
  return {
    columns: [REPORT_TEXT[language].columns.item, label(m.quarter, language)],
    rows: t.cashFlowLines.map(({ key, label: name, strong }) => ({ label: name, cells: [formatShown(flow[key])], values: [thousands(flow[key])], strong, indent: false })),
  };
}
