import type { AccountCategory } from "./chart-of-accounts.js";
import type { AccountTotal, LedgerExtract, PeriodTotals } from "./ledger-extract.js";
import type { AmountMetric, FinanceMetrics, LineItem, RatioMetric, TrendPoint } from "./finance-metrics.js";

/** One quarter's income statement in cents. */
interface Statement {
  readonly revenue: number;
  readonly costOfSales: number;
  readonly grossProfit: number;
  readonly operatingExpenses: number;
  readonly operatingIncome: number;
  readonly netInterest: number;
  readonly pretaxIncome: number;
  readonly incomeTax: number;
  readonly netIncome: number;
}
type StatementKey = keyof Statement;

const sumOf = (period: PeriodTotals, category: AccountCategory) =>
  period.accounts.filter((a) => a.category === category).reduce((sum, a) => sum + a.totalCents, 0);

function statementOf(period: PeriodTotals): Statement {
  const revenue = sumOf(period, "revenue");
  const costOfSales = sumOf(period, "cost_of_sales");
  const operatingExpenses = sumOf(period, "operating_expense");
  const grossProfit = revenue - costOfSales;
  const operatingIncome = grossProfit - operatingExpenses;
  const netInterest = sumOf(period, "interest_income") - sumOf(period, "interest_expense");
  const pretaxIncome = operatingIncome + netInterest;
  const incomeTax = sumOf(period, "income_tax");
  return { revenue, costOfSales, grossProfit, operatingExpenses, operatingIncome, netInterest, pretaxIncome, incomeTax, netIncome: pretaxIncome - incomeTax };
}

/** Change in percent of the base's absolute value; null without a usable base. */
export function changePct(current: number, base: number | null): number | null {
  if (base === null || base === 0) return null;
  return ((current - base) / Math.abs(base)) * 100;
}

const ratioPct = (part: number, whole: number) => (whole === 0 ? 0 : (part / whole) * 100);

function amount(current: number, previous: number | null, yearAgo: number | null): AmountMetric {
  return { cents: current, previousCents: previous, yearAgoCents: yearAgo, qoqPct: changePct(current, previous), yoyPct: changePct(current, yearAgo) };
}

function ratio(pct: number, previousPct: number | null, yearAgoPct: number | null): RatioMetric {
  const pp = (base: number | null) => (base === null ? null : pct - base);
  return { pct, previousPct, yearAgoPct, qoqPp: pp(previousPct), yoyPp: pp(yearAgoPct) };
}

interface Periods {
  readonly current: PeriodTotals;
  readonly previous: PeriodTotals | null;
  readonly yearAgo: PeriodTotals | null;
}

function breakdown(periods: Periods, category: AccountCategory): LineItem[] {
  const find = (period: PeriodTotals | null, code: string): AccountTotal | undefined => period?.accounts.find((a) => a.code === code);
  const lines = periods.current.accounts.filter((a) => a.category === category);
  const total = lines.reduce((sum, a) => sum + a.totalCents, 0);
  return lines.map((line) => ({
    code: line.code,
    name: { ...line.name },
    amount: amount(line.totalCents, find(periods.previous, line.code)?.totalCents ?? null, find(periods.yearAgo, line.code)?.totalCents ?? null),
    sharePct: ratioPct(line.totalCents, total),
  }));
}

function trendPoint(period: PeriodTotals): TrendPoint {
  const s = statementOf(period);
  return {
    quarter: period.quarter,
    revenueCents: s.revenue,
    costOfSalesCents: s.costOfSales,
    operatingIncomeCents: s.operatingIncome,
    netIncomeCents: s.netIncome,
    grossMarginPct: ratioPct(s.grossProfit, s.revenue),
    operatingMarginPct: ratioPct(s.operatingIncome, s.revenue),
    revenueByLine: period.accounts.filter((a) => a.category === "revenue").map((a) => ({ code: a.code, name: { ...a.name }, cents: a.totalCents })),
  };
}

/**
 * The income statement of the extract's quarter with QoQ and YoY comparisons, margins, the
 * breakdowns by account and the trend. Pure: the same extract gives the same metrics.
 */
export function computeMetrics(extract: LedgerExtract): FinanceMetrics {
  const current = statementOf(extract.current);
  const previous = extract.previous ? statementOf(extract.previous) : null;
  const yearAgo = extract.yearAgo ? statementOf(extract.yearAgo) : null;
  const metric = (key: StatementKey) => amount(current[key], previous?.[key] ?? null, yearAgo?.[key] ?? null);
  const margin = (key: StatementKey) => {
    const of = (s: Statement | null) => (s === null ? null : ratioPct(s[key], s.revenue));
    return ratio(ratioPct(current[key], current.revenue), of(previous), of(yearAgo));
  };
  return {
    company: { ...extract.company },
    currency: extract.currency,
    quarter: extract.quarter,
    previousQuarter: extract.previous?.quarter ?? null,
    yearAgoQuarter: extract.yearAgo?.quarter ?? null,
    revenue: metric("revenue"),
    costOfSales: metric("costOfSales"),
    grossProfit: metric("grossProfit"),
    grossMargin: margin("grossProfit"),
    operatingExpenses: metric("operatingExpenses"),
    operatingIncome: metric("operatingIncome"),
    operatingMargin: margin("operatingIncome"),
    netInterest: metric("netInterest"),
    pretaxIncome: metric("pretaxIncome"),
    incomeTax: metric("incomeTax"),
    netIncome: metric("netIncome"),
    netMargin: margin("netIncome"),
    revenueByLine: breakdown(extract, "revenue"),
    costOfSalesByItem: breakdown(extract, "cost_of_sales"),
    operatingExpensesByItem: breakdown(extract, "operating_expense"),
    trend: extract.trend.map(trendPoint),
    ...(extract.statements ? { statements: extract.statements } : {}),
  };
}
