import type { Language } from "../../core/index.js";
import type { FinanceMetrics, LineItem } from "./finance-metrics.js";
import { directionOf } from "./format-figures.js";

export type Direction = ReturnType<typeof directionOf>;

/** How big a change in percent reads: "sharply" from 20%, "slightly" under 3%. */
export type Size = "sharp" | "plain" | "slight";

/**
 * What the commentary can say about a quarter, decided once from the metrics, so the words of
 * each language only choose phrasing, never facts.
 */
export interface CommentaryFacts {
  readonly revenue: { readonly qoq: Direction; readonly yoy: Direction; readonly qoqSize: Size; readonly yoyStronger: boolean };
  /** Net income in cents this quarter and the previous one; how it moved against revenue. */
  readonly netIncome: { readonly now: number; readonly previous: number | null; readonly qoq: Direction; readonly fasterThanRevenue: boolean };
  readonly grossMargin: { readonly qoq: Direction; readonly yoy: Direction };
  readonly operatingMargin: { readonly qoq: Direction };
  /** True when operating expenses changed by a larger percentage than revenue; null without a previous quarter. */
  readonly opexFaster: boolean | null;
  /** The revenue line that moved most against the previous quarter. */
  readonly mover: { readonly name: string; readonly direction: Direction } | undefined;
  /** The revenue line with the highest year-on-year change, and whether it grew at all. */
  readonly fastest: { readonly name: string; readonly growing: boolean } | undefined;
  /** The cost item whose share of revenue changed most, and which way. */
  readonly costShift: { readonly name: string; readonly direction: Direction } | undefined;
  readonly trend: { readonly quarters: number; readonly rises: number; readonly bestRevenue: string; readonly bestMargin: string } | undefined;
}

function sizeOf(pct: number | null): Size {
  const magnitude = Math.abs(pct ?? 0);
  return magnitude >= 20 ? "sharp" : magnitude < 3 ? "slight" : "plain";
}

function biggestMover(items: readonly LineItem[]): LineItem | undefined {
  const moved = (i: LineItem) => (i.amount.previousCents === null ? -1 : Math.abs(i.amount.cents - i.amount.previousCents));
  return [...items].sort((a, b) => moved(b) - moved(a)).find((i) => moved(i) > 0);
}

function fastestGrower(items: readonly LineItem[]): LineItem | undefined {
  return [...items].filter((i) => i.amount.yoyPct !== null).sort((a, b) => (b.amount.yoyPct ?? 0) - (a.amount.yoyPct ?? 0))[0];
}

function costShift(m: FinanceMetrics, language: Language): CommentaryFacts["costShift"] {
  const now = m.revenue.cents;
  const before = m.revenue.previousCents;
  if (before === null || before === 0 || now === 0) return undefined;
  const shifts = [...m.costOfSalesByItem, ...m.operatingExpensesByItem]
    .filter((i) => i.amount.previousCents !== null)
    .map((item) => ({ item, change: (item.amount.cents / now - (item.amount.previousCents ?? 0) / before) * 100 }))
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change));
  const top = shifts[0];
  const direction = directionOf(top?.change ?? null);
  return top && direction !== "flat" ? { name: top.item.name[language], direction } : undefined;
}

function trend(m: FinanceMetrics): CommentaryFacts["trend"] {
  const points = m.trend;
  if (points.length < 2) return undefined;
  const rises = points.slice(1).filter((p, i) => p.revenueCents > (points[i]?.revenueCents ?? Infinity)).length;
  const best = (key: "revenueCents" | "operatingMarginPct") => [...points].sort((a, b) => b[key] - a[key])[0]?.quarter ?? m.quarter;
  return { quarters: points.length, rises, bestRevenue: best("revenueCents"), bestMargin: best("operatingMarginPct") };
}

export function commentaryFacts(m: FinanceMetrics, language: Language): CommentaryFacts {
  const mover = biggestMover(m.revenueByLine);
  const fastest = fastestGrower(m.revenueByLine);
  const revenueQoq = m.revenue.qoqPct;
  return {
    revenue: {
      qoq: directionOf(revenueQoq),
      yoy: directionOf(m.revenue.yoyPct),
      qoqSize: sizeOf(revenueQoq),
      yoyStronger: Math.abs(m.revenue.yoyPct ?? 0) > Math.abs(revenueQoq ?? 0),
    },
    netIncome: {
      now: m.netIncome.cents,
      previous: m.netIncome.previousCents,
      qoq: directionOf(m.netIncome.qoqPct),
      fasterThanRevenue: (m.netIncome.qoqPct ?? 0) > (revenueQoq ?? 0),
    },
    grossMargin: { qoq: directionOf(m.grossMargin.qoqPp), yoy: directionOf(m.grossMargin.yoyPp) },
    operatingMargin: { qoq: directionOf(m.operatingMargin.qoqPp) },
    opexFaster: m.operatingExpenses.qoqPct === null || revenueQoq === null ? null : m.operatingExpenses.qoqPct > revenueQoq,
    mover: mover && { name: mover.name[language], direction: directionOf(mover.amount.qoqPct) },
    fastest: fastest && { name: fastest.name[language], growing: (fastest.amount.yoyPct ?? 0) > 0 },
    costShift: costShift(m, language),
    trend: trend(m),
  };
}
