import type { FinanceMetrics, LineItem } from "./finance-metrics.js";
import { shownTenths } from "./format-figures.js";

/** One period's income-statement leaves in cents, each the way the ledger sums it. */
export interface IncomeLeaves {
  readonly revenue: readonly number[];
  readonly costOfSales: readonly number[];
  readonly operatingExpenses: readonly number[];
  readonly netInterest: number;
  readonly incomeTax: number;
}

/**
 * The income statement as shown, in tenths of a thousand (the report's unit). Each leaf is
 * rounded once; every total is taken from the rounded leaves, so the parts always add up to
 * the total on the page.
 */
export interface ShownIncome {
  readonly revenueLines: readonly number[];
  readonly costOfSalesItems: readonly number[];
  readonly operatingExpenseItems: readonly number[];
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

const total = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export function shownIncome(leaves: IncomeLeaves): ShownIncome {
  const revenueLines = leaves.revenue.map(shownTenths);
  const costOfSalesItems = leaves.costOfSales.map(shownTenths);
  const operatingExpenseItems = leaves.operatingExpenses.map(shownTenths);
  const revenue = total(revenueLines);
  const costOfSales = total(costOfSalesItems);
  const operatingExpenses = total(operatingExpenseItems);
  const grossProfit = revenue - costOfSales;
  const operatingIncome = grossProfit - operatingExpenses;
  const netInterest = shownTenths(leaves.netInterest);
  const pretaxIncome = operatingIncome + netInterest;
  const incomeTax = shownTenths(leaves.incomeTax);
  return {
    revenueLines, costOfSalesItems, operatingExpenseItems, revenue, costOfSales, grossProfit, operatingExpenses,
    operatingIncome, netInterest, pretaxIncome, incomeTax, netIncome: pretaxIncome - incomeTax,
  };
}

export type Period = "current" | "previous" | "yearAgo";

const centsIn = (period: Period) => (item: { amount: FinanceMetrics["revenue"] }): number | null =>
  period === "current" ? item.amount.cents : period === "previous" ? item.amount.previousCents : item.amount.yearAgoCents;

/** The shown income statement of one of the metrics' periods; null when the ledger lacks it. */
export function shownIncomeOf(m: FinanceMetrics, period: Period): ShownIncome | null {
  const pick = centsIn(period);
  const all = (items: readonly LineItem[]) => {
    const values = items.map(pick);
    return values.every((v): v is number => v !== null) ? values : null;
  };
  const revenue = all(m.revenueByLine);
  const costOfSales = all(m.costOfSalesByItem);
  const operatingExpenses = all(m.operatingExpensesByItem);
  const netInterest = pick({ amount: m.netInterest });
  const incomeTax = pick({ amount: m.incomeTax });
  if (!revenue || !costOfSales || !operatingExpenses || netInterest === null || incomeTax === null) return null;
  return shownIncome({ revenue, costOfSales, operatingExpenses, netInterest, incomeTax });
}

/**
 * Shares of a whole in tenths of a percent that add up to exactly 1000 (largest remainder),
 * so a share column sums to the 100.0% its total row shows.
 */
export function sharesInTenths(parts: readonly number[]): number[] {
  const whole = total(parts);
  if (whole <= 0 || parts.some((p) => p < 0)) return parts.map((p) => (whole === 0 ? 0 : Math.round((p / whole) * 1000)));
  const exact = parts.map((p) => (p / whole) * 1000);
  const floors = exact.map(Math.floor);
  let left = 1000 - total(floors);
  const order = exact.map((e, i) => ({ i, rest: e - Math.floor(e) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left -= 1;
  }
  return floors;
}
