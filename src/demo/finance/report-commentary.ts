import type { Language } from "../../core/index.js";
import { commentaryFacts, type CommentaryFacts, type Direction, type Size } from "./commentary-facts.js";
import type { FinanceMetrics } from "./finance-metrics.js";
import { quarterLabel } from "./quarter.js";

/**
 * The commentary's sentences in one language. Figures stay in the tables and the summary,
 * where the review checks them; these say what moved, which way and why, each in its own
 * construction: two comparisons are joined into one judgement ("环比、同比均有所提升",
 * "recovered but remained below a year earlier"), never written as two filled blanks.
 */
interface CommentaryWords {
  readonly lead: (f: CommentaryFacts) => string;
  readonly drivers: (f: CommentaryFacts) => string | undefined;
  readonly margins: (f: CommentaryFacts) => string | undefined;
  readonly leverage: (f: CommentaryFacts) => string | undefined;
  readonly trend: (f: CommentaryFacts, label: (quarter: string) => string, current: string) => string | undefined;
}

/** Two directions as one key, "up/down"; "none" where a comparison is missing. */
const pair = (a: Direction, b: Direction) => `${a ?? "none"}/${b ?? "none"}`;

const ZH_SIZE: Readonly<Record<Size, string>> = { sharp: "大幅", plain: "", slight: "小幅" };

function zhRevenue({ revenue: r }: CommentaryFacts): string {
  const size = ZH_SIZE[r.qoqSize];
  const phrases: Readonly<Record<string, string>> = {
    "up/up": `本季度营业收入环比${size}增长，同比增幅${r.yoyStronger ? "更为明显" : "相对温和"}`,
    "down/down": "本季度营业收入环比、同比均有所下降",
    "up/down": `本季度营业收入环比${size}回升，但仍低于上年同期`,
    "down/up": `本季度营业收入环比${size}回落，但仍高于上年同期`,
    "flat/up": "本季度营业收入与上季度基本持平，同比有所增长",
    "flat/down": "本季度营业收入与上季度基本持平，同比有所下降",
    "up/flat": `本季度营业收入环比${size}增长，与上年同期基本持平`,
    "down/flat": `本季度营业收入环比${size}下降，与上年同期基本持平`,
    "flat/flat": "本季度营业收入与上季度及上年同期基本持平",
    "up/none": `本季度营业收入环比${size}增长（总账中尚无上年同期数据）`,
    "down/none": `本季度营业收入环比${size}下降（总账中尚无上年同期数据）`,
    "flat/none": "本季度营业收入与上季度基本持平（总账中尚无上年同期数据）",
  };
  return phrases[pair(r.qoq, r.yoy)] ?? "本季度是总账的首个季度，营业收入暂无可比数据";
}

function zhProfit({ netIncome: n, revenue }: CommentaryFacts): string {
  if (n.now < 0) {
    if (n.previous === null || n.previous >= 0) return "本季度出现净亏损";
    return `净亏损较上季度${n.now > n.previous ? "收窄" : "扩大"}`;
  }
  if (n.previous === null) return "实现净利润";
  if (n.previous < 0) return "净利润扭亏为盈";
  if (n.qoq === "up") return revenue.qoq === "up" && n.fasterThanRevenue ? "净利润增速快于收入" : "净利润随之增长";
  return n.qoq === "down" ? "净利润有所下降" : "净利润与上季度基本持平";
}

const ZH_MARGIN: Readonly<Record<string, string>> = { up: "环比提升", down: "环比收窄", flat: "与上季度持平" };

function zhGrossMargin({ grossMargin: g }: CommentaryFacts): string {
  const phrases: Readonly<Record<string, string>> = {
    "up/up": "毛利率环比、同比均有所提升",
    "down/down": "毛利率环比、同比均有所收窄",
    "up/down": "毛利率环比回升，但仍低于上年同期",
    "down/up": "毛利率环比有所收窄，但仍高于上年同期",
    "flat/up": "毛利率与上季度持平，高于上年同期",
    "flat/down": "毛利率与上季度持平，低于上年同期",
    "up/flat": "毛利率环比提升，与上年同期相当",
    "down/flat": "毛利率环比收窄，与上年同期相当",
    "flat/flat": "毛利率与上季度及上年同期基本持平",
  };
  return phrases[pair(g.qoq, g.yoy)] ?? `毛利率${ZH_MARGIN[g.qoq ?? "none"] ?? ""}（总账中尚无上年同期数据）`;
}

function zhLeverage({ opexFaster, operatingMargin, grossMargin, revenue }: CommentaryFacts): string | undefined {
  const om = operatingMargin.qoq;
  if (opexFaster === null || om === null) return undefined;
  if (om === "flat") return "营业费用与收入大体同步变动，营业利润率与上季度基本持平。";
  const falling = revenue.qoq === "down";
  if (!opexFaster) {
    const pace = falling ? "营业费用的降幅大于收入" : "营业费用增速低于收入增速";
    return om === "up" ? `${pace}，经营杠杆显现，营业利润率随之提升。` : `${pace}，但受${grossMargin.qoq === "down" ? "毛利率下滑" : "成本结构变化"}影响，营业利润率仍有所收窄。`;
  }
  const pace = falling ? "收入下降而营业费用未能同步压降" : "营业费用增速快于收入";
  return om === "down" ? `${pace}，营业利润率因此收窄。` : `尽管${pace}，得益于${grossMargin.qoq === "up" ? "毛利率改善" : "收入结构优化"}，营业利润率仍有所提升。`;
}

const ZH: CommentaryWords = {
  lead: (f) => `${zhRevenue(f)}；${zhProfit(f)}。`,
  drivers: ({ mover, fastest, revenue }) => {
    if (!mover) return undefined;
    const source =
      revenue.qoq === "up" && mover.direction === "up"
        ? `收入增长主要来自${mover.name}`
        : revenue.qoq === "down" && mover.direction === "down"
          ? `收入下滑主要受${mover.name}拖累`
          : `各业务线中，${mover.name}的环比变动最大`;
    if (!fastest) return `${source}。`;
    if (!fastest.growing) return `${source}；同比来看，各业务线均未实现增长，其中${fastest.name}表现相对较好。`;
    return fastest.name === mover.name ? `${source}，该业务同时也是同比增速最快的业务线。` : `${source}；同比来看，${fastest.name}增速最快。`;
  },
  margins: (f) => {
    if (f.grossMargin.qoq === null) return undefined;
    const shift = f.costShift && `从成本结构看，${f.costShift.name}占营业收入的比重变化最大，较上季度有所${f.costShift.direction === "up" ? "上升" : "下降"}。`;
    return `${zhGrossMargin(f)}。${shift ?? ""}`;
  },
  leverage: zhLeverage,
  trend: ({ trend }, label, current) => {
    if (!trend || trend.quarters < 3) return undefined;
    const head = `近${trend.quarters}个季度中，营业收入有${trend.rises}个季度实现环比增长`;
    const name = (q: string) => (q === current ? "本季度" : label(q));
    if (trend.bestRevenue === trend.bestMargin) {
      return trend.bestRevenue === current ? `${head}，本季度的营业收入和营业利润率均为这一期间最高。` : `${head}，其中${name(trend.bestRevenue)}的营业收入和营业利润率均为最高。`;
    }
    return `${head}；营业收入以${name(trend.bestRevenue)}为最高，营业利润率则以${name(trend.bestMargin)}为最高。`;
  },
};

/** A line's name inside an English sentence: "Product sales" → "product sales". */
const inSentence = (name: string) => `${name.charAt(0).toLowerCase()}${name.slice(1)}`;

const EN_SIZE: Readonly<Record<Size, string>> = { sharp: "sharply ", plain: "", slight: "slightly " };

function enRevenue({ revenue: r }: CommentaryFacts): string {
  const size = EN_SIZE[r.qoqSize];
  const phrases: Readonly<Record<string, string>> = {
    "up/up": `Revenue rose ${size}quarter on quarter, and ${r.yoyStronger ? "more strongly" : "more modestly"} year on year`,
    "down/down": "Revenue fell both quarter on quarter and year on year",
    "up/down": `Revenue recovered ${size}quarter on quarter but remained below the level of a year earlier`,
    "down/up": `Revenue eased ${size}quarter on quarter but stayed above the level of a year earlier`,
    "flat/up": "Revenue was flat quarter on quarter and higher than a year earlier",
    "flat/down": "Revenue was flat quarter on quarter and lower than a year earlier",
    "up/flat": `Revenue rose ${size}quarter on quarter and was in line with a year earlier`,
    "down/flat": `Revenue fell ${size}quarter on quarter and was in line with a year earlier`,
    "flat/flat": "Revenue was in line with both the previous quarter and a year earlier",
    "up/none": `Revenue rose ${size}quarter on quarter (the ledger has no year-earlier quarter yet)`,
    "down/none": `Revenue fell ${size}quarter on quarter (the ledger has no year-earlier quarter yet)`,
    "flat/none": "Revenue was flat quarter on quarter (the ledger has no year-earlier quarter yet)",
  };
  return phrases[pair(r.qoq, r.yoy)] ?? "This is the ledger's first quarter, so revenue has nothing to compare with";
}

function enProfit({ netIncome: n, revenue }: CommentaryFacts): string {
  if (n.now < 0) {
    if (n.previous === null || n.previous >= 0) return "the company made a net loss";
    return `the net loss ${n.now > n.previous ? "narrowed" : "widened"} from the previous quarter`;
  }
  if (n.previous === null) return "the company made a net profit";
  if (n.previous < 0) return "the company swung back to a net profit";
  if (n.qoq === "up") return revenue.qoq === "up" && n.fasterThanRevenue ? "net income grew faster than revenue" : "net income rose with it";
  return n.qoq === "down" ? "net income fell" : "net income was flat";
}

const EN_MARGIN: Readonly<Record<string, string>> = { up: "widened", down: "narrowed", flat: "held steady" };

function enGrossMargin({ grossMargin: g }: CommentaryFacts): string {
  const phrases: Readonly<Record<string, string>> = {
    "up/up": "Gross margin widened against both the previous quarter and a year earlier.",
    "down/down": "Gross margin narrowed against both the previous quarter and a year earlier.",
    "up/down": "Gross margin recovered quarter on quarter but stayed below its level a year earlier.",
    "down/up": "Gross margin slipped quarter on quarter yet stayed above its level a year earlier.",
    "flat/up": "Gross margin held steady quarter on quarter, above its level a year earlier.",
    "flat/down": "Gross margin held steady quarter on quarter, below its level a year earlier.",
    "up/flat": "Gross margin widened quarter on quarter, back in line with a year earlier.",
    "down/flat": "Gross margin narrowed quarter on quarter, in line with a year earlier.",
    "flat/flat": "Gross margin matched both the previous quarter and a year earlier.",
  };
  return phrases[pair(g.qoq, g.yoy)] ?? `Gross margin ${EN_MARGIN[g.qoq ?? "none"] ?? ""} quarter on quarter (the ledger has no year-earlier quarter yet).`;
}

function enLeverage({ opexFaster, operatingMargin, grossMargin, revenue }: CommentaryFacts): string | undefined {
  const om = operatingMargin.qoq;
  if (opexFaster === null || om === null) return undefined;
  if (om === "flat") return "Operating expenses moved broadly with revenue, leaving the operating margin where it was.";
  const falling = revenue.qoq === "down";
  if (!opexFaster) {
    const pace = falling ? "Operating expenses fell further than revenue" : "Operating expenses grew more slowly than revenue";
    return om === "up" ? `${pace}, so operating leverage lifted the operating margin.` : `${pace}, yet the operating margin narrowed${grossMargin.qoq === "down" ? " as the gross margin fell" : ""}.`;
  }
  const pace = falling ? "revenue fell while operating expenses did not" : "operating expenses grew faster than revenue";
  return om === "down" ? `${pace.charAt(0).toUpperCase()}${pace.slice(1)}, which narrowed the operating margin.` : `Although ${pace}, the operating margin widened${grossMargin.qoq === "up" ? " on the stronger gross margin" : ""}.`;
}

const EN: CommentaryWords = {
  lead: (f) => `${enRevenue(f)}; ${enProfit(f)}.`,
  drivers: ({ mover, fastest, revenue }) => {
    if (!mover) return undefined;
    const source =
      revenue.qoq === "up" && mover.direction === "up"
        ? `Most of the quarter-on-quarter increase in revenue came from ${inSentence(mover.name)}`
        : revenue.qoq === "down" && mover.direction === "down"
          ? `${mover.name} accounted for most of the decline in revenue`
          : `Of the revenue lines, ${inSentence(mover.name)} moved most against the previous quarter`;
    if (!fastest) return `${source}.`;
    if (!fastest.growing) return `${source}; year on year no line grew, ${inSentence(fastest.name)} holding up best.`;
    return fastest.name === mover.name ? `${source}, which was also the fastest-growing line year on year.` : `${source}; year on year, ${inSentence(fastest.name)} grew fastest.`;
  },
  margins: (f) => {
    if (f.grossMargin.qoq === null) return undefined;
    const shift = f.costShift && ` Among costs, ${inSentence(f.costShift.name)} changed most as a share of revenue, ${f.costShift.direction === "up" ? "rising" : "falling"} against the previous quarter.`;
    return `${enGrossMargin(f)}${shift ?? ""}`;
  },
  leverage: enLeverage,
  trend: ({ trend }, label, current) => {
    if (!trend || trend.quarters < 3) return undefined;
    const head = `Revenue rose quarter on quarter in ${trend.rises} of the last ${trend.quarters - 1} comparisons`;
    const name = (q: string) => (q === current ? "this quarter" : label(q));
    if (trend.bestRevenue === trend.bestMargin) {
      return trend.bestRevenue === current ? `${head}, and this quarter's revenue and operating margin are the highest of the period.` : `${head}; ${name(trend.bestRevenue)} had both the highest revenue and the highest operating margin.`;
    }
    return `${head}; revenue peaked in ${name(trend.bestRevenue)}, operating margin in ${name(trend.bestMargin)}.`;
  },
};

const WORDS: Readonly<Record<Language, CommentaryWords>> = { en: EN, zh: ZH };

/** The executive summary's lead sentence and the "margins and trends" paragraphs, in words. */
export function reportCommentary(m: FinanceMetrics, language: Language): { lead: string; paragraphs: string[] } {
  const words = WORDS[language];
  const facts = commentaryFacts(m, language);
  const paragraphs = [words.drivers(facts), words.margins(facts), words.leverage(facts), words.trend(facts, (q) => quarterLabel(q, language), m.quarter)];
  return { lead: words.lead(facts), paragraphs: paragraphs.filter((p): p is string => p !== undefined && p !== "") };
}
