import type { Language } from "../../core/index.js";
import type { FinanceMetrics, LineItem } from "./finance-metrics.js";
import { directionOf } from "./format-figures.js";
import { quarterLabel } from "./quarter.js";

type Direction = ReturnType<typeof directionOf>;

/** Words for the commentary; figures stay in the tables and summary, where the review checks them. */
interface CommentaryWords {
  readonly compared: (direction: Direction, reference: "previous" | "yearAgo") => string;
  readonly margin: (direction: Direction) => string;
  readonly lead: (revenueQoq: string, revenueYoy: string, profitable: boolean, grossMargin: string) => string;
  readonly drivers: (driver: string | undefined, fastest: string | undefined) => string;
  readonly margins: (qoq: string, yoy: string, costItem: string | undefined, costDirection: Direction) => string;
  readonly leverage: (opexFaster: boolean | null, operatingMargin: string) => string;
  readonly trend: (quarters: number, rises: number, bestRevenue: string, bestMargin: string) => string;
}

const EN: CommentaryWords = {
  compared: (d, ref) => {
    const to = ref === "previous" ? "the previous quarter" : "a year earlier";
    if (d === null) return `not comparable with ${to}`;
    return d === "flat" ? `in line with ${to}` : `${d === "up" ? "higher" : "lower"} than ${to}`;
  },
  margin: (d) => (d === null ? "could not be compared" : d === "flat" ? "held steady" : d === "up" ? "widened" : "narrowed"),
  lead: (qoq, yoy, profitable, gm) =>
    `Revenue was ${qoq} and ${yoy}; the company ${profitable ? "made a net profit" : "made a net loss"}, and its gross margin ${gm} against the previous quarter.`,
  drivers: (driver, fastest) =>
    [driver && `${driver} accounted for most of the quarter-on-quarter change in revenue.`, fastest && `${fastest} grew fastest year on year.`].filter(Boolean).join(" "),
  margins: (qoq, yoy, item, d) =>
    `Gross margin ${qoq} quarter on quarter and ${yoy} year on year.` +
    (item && d && d !== "flat" ? ` Among costs, ${item} moved most as a share of revenue (${d === "up" ? "higher" : "lower"} than the previous quarter).` : ""),
  leverage: (faster, om) =>
    faster === null
      ? `Operating margin ${om} against the previous quarter.`
      : `Operating expenses grew ${faster ? "faster" : "more slowly"} than revenue quarter on quarter, and operating margin ${om}.`,
  trend: (n, rises, bestRevenue, bestMargin) =>
    `Over the last ${n} quarters revenue rose in ${rises} of ${n - 1} quarter-on-quarter comparisons; ` +
    (bestRevenue === bestMargin
      ? `${bestRevenue} had both the highest revenue and the highest operating margin.`
      : `${bestRevenue} had the highest revenue and ${bestMargin} the highest operating margin.`),
};

const ZH: CommentaryWords = {
  compared: (d, ref) => {
    const to = ref === "previous" ? "上季度" : "上年同期";
    if (d === null) return `无${to}可比数据`;
    return d === "flat" ? `与${to}持平` : `较${to}${d === "up" ? "增加" : "减少"}`;
  },
  margin: (d) => (d === null ? "无可比数据" : d === "flat" ? "保持稳定" : d === "up" ? "提升" : "收窄"),
  lead: (qoq, yoy, profitable, gm) => `本季度营业收入${qoq}、${yoy}，公司实现净${profitable ? "盈利" : "亏损"}，毛利率较上季度${gm}。`,
  drivers: (driver, fastest) =>
    [driver && `营业收入的环比变动主要来自${driver}。`, fastest && `同比来看，${fastest}增长最快。`].filter(Boolean).join(""),
  margins: (qoq, yoy, item, d) =>
    `毛利率环比${qoq}，同比${yoy}。` + (item && d && d !== "flat" ? `成本项目中，${item}占营业收入的比重变化最大（较上季度${d === "up" ? "上升" : "下降"}）。` : ""),
  leverage: (faster, om) =>
    faster === null ? `营业利润率较上季度${om}。` : `营业费用环比增速${faster ? "快于" : "慢于"}营业收入，营业利润率${om}。`,
  trend: (n, rises, bestRevenue, bestMargin) =>
    `近${n}个季度中，营业收入在${n - 1}次环比比较中有${rises}次增长；` +
    (bestRevenue === bestMargin ? `${bestRevenue}的营业收入和营业利润率均为最高。` : `${bestRevenue}营业收入最高，${bestMargin}营业利润率最高。`),
};

const WORDS: Readonly<Record<Language, CommentaryWords>> = { en: EN, zh: ZH };

/** The line whose amount moved most against the previous quarter. */
function biggestMover(items: readonly LineItem[]): LineItem | undefined {
  const moved = (i: LineItem) => (i.amount.previousCents === null ? -1 : Math.abs(i.amount.cents - i.amount.previousCents));
  return [...items].sort((a, b) => moved(b) - moved(a)).find((i) => moved(i) > 0);
}

function fastestGrower(items: readonly LineItem[]): LineItem | undefined {
  return [...items].filter((i) => i.amount.yoyPct !== null).sort((a, b) => (b.amount.yoyPct ?? 0) - (a.amount.yoyPct ?? 0))[0];
}

/** The cost item whose share of revenue changed most against the previous quarter, and which way. */
function costShift(m: FinanceMetrics): { item: LineItem; change: number } | undefined {
  const revenueNow = m.revenue.cents;
  const revenueBefore = m.revenue.previousCents;
  if (revenueBefore === null || revenueBefore === 0 || revenueNow === 0) return undefined;
  const shifts = [...m.costOfSalesByItem, ...m.operatingExpensesByItem]
    .filter((i) => i.amount.previousCents !== null)
    .map((item) => ({ item, change: (item.amount.cents / revenueNow - (item.amount.previousCents ?? 0) / revenueBefore) * 100 }));
  return shifts.sort((a, b) => Math.abs(b.change) - Math.abs(a.change))[0];
}

function trendSentence(m: FinanceMetrics, language: Language, words: CommentaryWords): string | undefined {
  const points = m.trend;
  if (points.length < 2) return undefined;
  const rises = points.slice(1).filter((p, i) => p.revenueCents > (points[i]?.revenueCents ?? Infinity)).length;
  const best = (key: "revenueCents" | "operatingMarginPct") => [...points].sort((a, b) => b[key] - a[key])[0]?.quarter ?? m.quarter;
  return words.trend(points.length, rises, quarterLabel(best("revenueCents"), language), quarterLabel(best("operatingMarginPct"), language));
}

/** The executive summary's lead sentence and the "margins and trends" paragraphs, in words. */
export function reportCommentary(m: FinanceMetrics, language: Language): { lead: string; paragraphs: string[] } {
  const words = WORDS[language];
  const lead = words.lead(
    words.compared(directionOf(m.revenue.qoqPct), "previous"),
    words.compared(directionOf(m.revenue.yoyPct), "yearAgo"),
    m.netIncome.cents >= 0,
    words.margin(directionOf(m.grossMargin.qoqPp)),
  );
  const shift = costShift(m);
  const opexFaster = m.operatingExpenses.qoqPct === null || m.revenue.qoqPct === null ? null : m.operatingExpenses.qoqPct > m.revenue.qoqPct;
  const paragraphs = [
    words.drivers(biggestMover(m.revenueByLine)?.name[language], fastestGrower(m.revenueByLine)?.name[language]),
    words.margins(words.margin(directionOf(m.grossMargin.qoqPp)), words.margin(directionOf(m.grossMargin.yoyPp)), shift?.item.name[language], directionOf(shift?.change ?? null)),
    words.leverage(opexFaster, words.margin(directionOf(m.operatingMargin.qoqPp))),
    trendSentence(m, language, words),
  ];
  return { lead, paragraphs: paragraphs.filter((p): p is string => p !== undefined && p !== "") };
}
