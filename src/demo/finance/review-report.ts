import { z } from "zod";
import type { Language } from "../../core/index.js";
import type { FinanceMetrics } from "./finance-metrics.js";
import { quarterLabel } from "./quarter.js";
import { balanceSheetTable, cashFlowTable, incomeStatementTable, revenueByLineTable, summaryFigures, type FigureTable } from "./report-figures.js";
import { REPORT_TEXT } from "./report-text.js";
import { STATEMENT_TEXT } from "./statement-text.js";
import { expectedChange, readSummaryBullet } from "./summary-bullet.js";

export const ReviewMismatchSchema = z.object({ label: z.string(), expected: z.string(), found: z.string() });
export const ReportReviewSchema = z.object({
  ok: z.boolean(),
  /** How many figures were compared. */
  checked: z.number().int().nonnegative(),
  mismatches: z.array(ReviewMismatchSchema),
});
export type ReportReview = z.infer<typeof ReportReviewSchema>;
type Mismatch = z.infer<typeof ReviewMismatchSchema>;

interface Tally {
  /** Records one comparison; a figure that is missing counts as a mismatch too. */
  compare(label: string, expected: string, found: string | undefined): void;
  result(): ReportReview;
}

function createTally(): Tally {
  let checked = 0;
  const mismatches: Mismatch[] = [];
  return {
    compare(label, expected, found) {
      checked += 1;
      if (found !== expected) mismatches.push({ label, expected, found: found ?? "missing" });
    },
    result: () => ({ ok: mismatches.length === 0, checked, mismatches }),
  };
}

/** The lines under each `## ` heading, by heading text. */
function sections(markdown: string): Map<string, string[]> {
  const byHeading = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of markdown.split("\n")) {
    if (line.startsWith("## ")) byHeading.set(line.slice(3).trim(), (current = []));
    else current.push(line);
  }
  return byHeading;
}

const unbold = (cell: string) => cell.trim().replace(/^\*\*(.*)\*\*$/, "$1").replace(/\\\|/g, "|");

function tableCells(lines: readonly string[]): string[][] {
  return lines
    .filter((line) => line.trim().startsWith("|"))
    .map((line) => line.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map(unbold))
    .filter((cells) => !cells.every((c) => /^:?-{3,}:?$/.test(c)));
}

function checkTable(tally: Tally, name: string, expected: FigureTable, lines: readonly string[]): void {
  const [header = [], ...body] = tableCells(lines);
  expected.columns.forEach((column, i) => tally.compare(`${name} · column ${i + 1}`, column, header[i]));
  const found = new Map(body.map((cells) => [cells[0] ?? "", cells.slice(1)]));
  for (const row of expected.rows) {
    const cells = found.get(row.label);
    row.cells.forEach((cell, i) => tally.compare(`${name} · ${row.label} · ${expected.columns[i + 1] ?? i + 1}`, cell, cells?.[i]));
  }
}

function checkSummary(tally: Tally, m: FinanceMetrics, language: Language, lines: readonly string[]): void {
  const name = REPORT_TEXT[language].headings.summary;
  for (const figure of summaryFigures(m, language)) {
    const line = lines.find((l) => l.startsWith(`- **${figure.label}**`));
    const read = line === undefined ? undefined : readSummaryBullet(line, figure.unit, language);
    tally.compare(`${name} · ${figure.label}`, figure.value, read?.value);
    tally.compare(`${name} · ${figure.label} · QoQ`, expectedChange(figure, "qoq"), read?.qoq);
    tally.compare(`${name} · ${figure.label} · YoY`, expectedChange(figure, "yoy"), read?.yoy);
  }
}

/**
 * Reads the figures back out of a report's Markdown (title, executive summary, income
 * statement, revenue by line) and compares each with the metrics, formatted the way the report
 * prints them. Anything missing or different is a mismatch.
 */
export function reviewReport(markdown: string, m: FinanceMetrics, language: Language): ReportReview {
  const text = REPORT_TEXT[language];
  const tally = createTally();
  const title = markdown.split("\n").find((line) => line.startsWith("# "));
  tally.compare("title", `# ${text.title(m.company[language], quarterLabel(m.quarter, language))}`, title);
  const byHeading = sections(markdown);
  checkSummary(tally, m, language, byHeading.get(text.headings.summary) ?? []);
  checkTable(tally, text.headings.incomeStatement, incomeStatementTable(m, language), byHeading.get(text.headings.incomeStatement) ?? []);
  checkTable(tally, text.headings.revenueByLine, revenueByLineTable(m, language), byHeading.get(text.headings.revenueByLine) ?? []);
  const statements = STATEMENT_TEXT[language];
  const balance = balanceSheetTable(m, language);
  const flow = cashFlowTable(m, language);
  if (balance) checkTable(tally, statements.balanceSheet, balance, byHeading.get(statements.balanceSheet) ?? []);
  if (flow) checkTable(tally, statements.cashFlow, flow, byHeading.get(statements.cashFlow) ?? []);
  return tally.result();
}
