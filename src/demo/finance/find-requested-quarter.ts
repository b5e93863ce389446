/**
 * What a task asks for, read from its words: a quarter (possibly with a year), a year alone,
 * or nothing. Numbers are kept raw (a "Q7" stays 7) so the caller can say what is wrong.
 */
export type RequestedQuarter =
  | { readonly kind: "quarter"; readonly year: number | undefined; readonly q: number; readonly text: string }
  | { readonly kind: "year"; readonly year: number; readonly text: string }
  | { readonly kind: "none" };

const QUARTER_WORDS = /季度|季报|财季|\bquarter(?:s|ly)?\b|\bQ\s?\d+\b|\d{4}\s*[-_/]?\s*Q\d/i;
const REPORT_WORDS = /财务|财报|季报|报告|报表|业绩|利润|financial|finance|\breport|\bresults\b|earnings|statement|\bp&l\b/i;

/** True when the task asks for a quarterly financial report, in Chinese or English. */
export function isQuarterlyReportRequest(description: string): boolean {
  return QUARTER_WORDS.test(description) && REPORT_WORDS.test(description);
}

const ZH_DIGITS: Readonly<Record<string, number>> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const ORDINALS: Readonly<Record<string, number>> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6,
};
const ORDINAL = "(first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th)";
const ZH_NUMBER = "([一二两三四五六七八九十]+|\\d+)";

/** 三 → 3, 十二 → 12, 3 → 3. */
function toNumber(raw: string): number {
  if (/^\d+$/.test(raw)) return Number(raw);
  if (raw.length === 1) return ZH_DIGITS[raw] ?? Number.NaN;
  const [tens, ones] = raw.split("十");
  return (tens ? (ZH_DIGITS[tens] ?? Number.NaN) : 1) * 10 + (ones ? (ZH_DIGITS[ones] ?? Number.NaN) : 0);
}

/** Patterns tried in order; each names where its year and quarter are among the groups. */
const PATTERNS: readonly { readonly regex: RegExp; readonly year?: number; readonly q: number; readonly ordinal?: true }[] = [
  { regex: /(\d{4})\s*(?:年\s*(?:的\s*)?)?[-_/]?\s*Q\s*(\d+)/i, year: 1, q: 2 },
  { regex: /\bQ\s*(\d+)\s*(?:of\s+|,\s*)?(?:FY\s*)?(\d{4})/i, year: 2, q: 1 },
  { regex: new RegExp(`(\\d{4})\\s*年\\s*(?:的\\s*)?(?:第\\s*)?${ZH_NUMBER}\\s*季度`), year: 1, q: 2 },
  { regex: new RegExp(`\\b${ORDINAL}\\s+quarter\\s+(?:of\\s+)?(?:FY\\s*)?(\\d{4})`, "i"), year: 2, q: 1, ordinal: true },
  { regex: new RegExp(`(\\d{4})\\s+${ORDINAL}\\s+quarter`, "i"), year: 1, q: 2, ordinal: true },
  { regex: new RegExp(`第?\\s*${ZH_NUMBER}\\s*季度`), q: 1 },
  { regex: /\bQ\s*(\d+)\b/i, q: 1 },
  { regex: new RegExp(`\\b${ORDINAL}\\s+quarter`, "i"), q: 1, ordinal: true },
];

const YEAR_ONLY = /(\d{4})\s*年|\b(20\d{2}|19\d{2})\b/;

/** The quarter or year a quarterly-report task names, as written. */
export function findRequestedQuarter(description: string): RequestedQuarter {
  for (const pattern of PATTERNS) {
    const match = pattern.regex.exec(description);
    if (!match) continue;
    const rawQ = match[pattern.q] ?? "";
    const q = pattern.ordinal ? (ORDINALS[rawQ.toLowerCase()] ?? Number.NaN) : toNumber(rawQ);
    // "the Q3 report for 2023": a year written apart from the quarter still counts.
    const year = pattern.year === undefined ? yearIn(description) : Number(match[pattern.year]);
    return { kind: "quarter", year, q, text: match[0].trim() };
  }
  const year = yearIn(description);
  return year === undefined ? { kind: "none" } : { kind: "year", year, text: String(year) };
}

function yearIn(description: string): number | undefined {
  const match = YEAR_ONLY.exec(description);
  return match ? Number(match[1] ?? match[2]) : undefined;
}
