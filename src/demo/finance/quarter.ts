import type { Language } from "../../core/index.js";

/** A calendar quarter written `2024Q3`. */
export const QUARTER_PATTERN = /^(\d{4})Q([1-4])$/;

const ZH_QUARTER = ["一", "二", "三", "四"] as const;

function split(quarter: string): { year: number; q: number } {
  const match = QUARTER_PATTERN.exec(quarter);
  if (!match) throw new RangeError(`"${quarter}" is not a quarter like 2024Q3`);
  return { year: Number(match[1]), q: Number(match[2]) };
}

export function formatQuarter(year: number, q: number): string {
  return `${year}Q${q}`;
}

/** The quarter `by` quarters after (negative: before) `quarter`. */
export function shiftQuarter(quarter: string, by: number): string {
  const { year, q } = split(quarter);
  const index = year * 4 + (q - 1) + by;
  return formatQuarter(Math.floor(index / 4), (index % 4) + 1);
}

/** Every quarter from `first` to `last`, both included. */
export function quarterRange(first: string, last: string): string[] {
  const quarters: string[] = [];
  for (let q = first; q <= last; q = shiftQuarter(q, 1)) quarters.push(q);
  return quarters;
}

/** The quarter number 1–4. */
export function quarterNumber(quarter: string): number {
  return split(quarter).q;
}

/** `Q3 2024` in English, `2024年第三季度` in Chinese. */
export function quarterLabel(quarter: string, language: Language): string {
  const { year, q } = split(quarter);
  return language === "zh" ? `${year}年第${ZH_QUARTER[q - 1] ?? q}季度` : `Q${q} ${year}`;
}

/** The quarter an ISO date (`2024-08-15`) falls in. */
export function quarterOfDate(date: string): string {
  const month = Number(date.slice(5, 7));
  return formatQuarter(Number(date.slice(0, 4)), Math.ceil(month / 3));
}

/** The three months of a quarter as `{ year, month (1-12), days }`. */
export function quarterMonths(quarter: string): { year: number; month: number; days: number }[] {
  const { year, q } = split(quarter);
  return [0, 1, 2].map((offset) => {
    const month = (q - 1) * 3 + offset + 1;
    return { year, month, days: new Date(Date.UTC(year, month, 0)).getUTCDate() };
  });
}

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
