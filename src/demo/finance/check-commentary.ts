import type { Language } from "../../core/index.js";
import type { FinanceMetrics } from "./finance-metrics.js";
import { balanceSheetTable, cashFlowTable, incomeStatementTable, revenueByLineTable, type FigureTable } from "./report-figures.js";

/** Most paragraphs a model's commentary may have, and most characters in one. */
export const COMMENTARY_MAX_PARAGRAPHS = 6;
export const COMMENTARY_MAX_CHARS = 1_200;

/** A figure written in the commentary that no statement of the report supports. */
export interface UnsupportedFigure {
  readonly written: string;
  readonly paragraph: number;
}

// A number as prose writes it: 12,345.6 / 12345.6 / 53.2 / 7 (a sign or unit around it is
// not part of the figure: "+8.1%", "-3.2 pp", "1.2亿" all read as 8.1, 3.2, 1.2).
const NUMBER = /\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g;

// The scales a reader may restate an amount in, from the tables' CNY thousands: as is, in
// 万元 (÷10), in millions (÷1,000), in 亿元 (÷100,000), and in yuan (×1,000).
const AMOUNT_SCALES = [1, 0.1, 0.001, 0.00001, 1_000] as const;

function tableValues(table: FigureTable | undefined): { amounts: number[]; others: number[] } {
  const amounts: number[] = [];
  const others: number[] = [];
  for (const row of table?.rows ?? []) {
    for (const value of row.values) {
      if (value === null) continue;
      (value.unit === "thousand" ? amounts : others).push(Math.abs(value.value));
    }
  }
  return { amounts, others };
}

/** Years and quarter numbers the report names (2024, 3 of "Q3"/"第3季度"), which prose may repeat. */
function calendarNumbers(m: FinanceMetrics): Set<number> {
  const numbers = new Set<number>();
  const quarters = [m.quarter, m.previousQuarter, m.yearAgoQuarter, ...m.trend.map((p) => p.quarter)];
  for (const quarter of quarters) {
    const match = /^(\d{4})Q([1-4])$/.exec(quarter ?? "");
    if (!match) continue;
    numbers.add(Number(match[1]));
    numbers.add(Number(match[2]));
  }
  return numbers;
}

const decimalsOf = (written: string) => written.split(".")[1]?.length ?? 0;
const roundTo = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/**
 * True when `written` is one of `values` as a reader would round it: to the written number of
 * decimals, with at least one significant digit left (so "0" never matches a small figure).
 */
function matches(written: string, values: readonly number[], scales: readonly number[]): boolean {
  const n = Number(written.replace(/,/g, ""));
  const decimals = decimalsOf(written);
  return values.some((value) =>
    scales.some((scale) => {
      const scaled = value * scale;
      return roundTo(scaled, decimals) === n && (n !== 0 || scaled === 0);
    }),
  );
}

/**
 * Every number in the commentary that the report's statements do not hold. A number is
 * supported when it is a figure of the income statement, revenue by line, balance sheet or
 * cash-flow statement (an amount possibly restated in 万元, millions, 亿元 or yuan; a margin,
 * share or change as printed, rounded to the decimals written), or a year or quarter the report
 * names. Only digits are read: a figure spelled in words is not checked.
 */
export function unsupportedFigures(paragraphs: readonly string[], m: FinanceMetrics, language: Language): UnsupportedFigure[] {
  const tables = [incomeStatementTable(m, language), revenueByLineTable(m, language), balanceSheetTable(m, language), cashFlowTable(m, language)];
  const amounts = tables.flatMap((t) => tableValues(t).amounts);
  const others = tables.flatMap((t) => tableValues(t).others);
  const calendar = calendarNumbers(m);
  const found: UnsupportedFigure[] = [];
  paragraphs.forEach((paragraph, i) => {
    for (const [written] of paragraph.matchAll(NUMBER)) {
      const n = Number(written.replace(/,/g, ""));
      if (!written.includes(".") && calendar.has(n)) continue;
      if (matches(written, amounts, AMOUNT_SCALES) || matches(written, others, [1])) continue;
      found.push({ written, paragraph: i + 1 });
    }
  });
  return found;
}

/**
 * The model's paragraphs as plain report text: markup that could link, embed or break out of a
 * paragraph (links, images, HTML, headings, tables) is flattened; `**bold**` stays.
 */
export function plainCommentary(paragraphs: readonly string[]): string[] {
  return paragraphs
    .map((p) =>
      p
        .replace(/[\r\n]+/g, " ")
        .replace(/[<>[\]|`#]/g, " ")
        .replace(/!\(/g, "(")
        .replace(/\s{2,}/g, " ")
        .trim(),
    )
    .filter((p) => p !== "");
}
