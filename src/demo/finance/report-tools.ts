import { z } from "zod";
import { defineTool, ToolError } from "../../tools/index.js";
import { COMMENTARY_MAX_CHARS, COMMENTARY_MAX_PARAGRAPHS, plainCommentary, unsupportedFigures } from "./check-commentary.js";
import { composeReport } from "./compose-report.js";
import { computeMetrics } from "./compute-metrics.js";
import { FinanceMetricsSchema, type FinanceMetrics } from "./finance-metrics.js";
import { loadLedger } from "./load-ledger.js";
import { queryLedger } from "./query-ledger.js";
import { ChartSchema, renderCharts } from "./render-charts.js";
import { ReportReviewSchema, reviewReport } from "./review-report.js";
import { buildReportWorkbook } from "./report-workbook.js";
import { PeriodChoiceSchema } from "./resolve-quarter.js";

const LanguageSchema = z.enum(["zh", "en"]).describe("zh for a Chinese report, en for English");

/** Draws the report's charts as SVG with vega-lite (no canvas needed). */
export const reportChartsTool = defineTool({
  name: "report.charts",
  description:
    "Renders the quarterly report's charts as SVG strings (revenue/cost/operating income across recent quarters, " +
    "revenue by line, margins), labelled in the report's language.",
  input: z.object({ metrics: FinanceMetricsSchema, language: LanguageSchema }),
  output: z.object({ charts: z.array(ChartSchema) }),
  handler: async ({ metrics, language }) => ({ charts: await renderCharts(metrics, language) }),
  timeoutMs: 30_000,
  idempotent: true,
});

function metricsFor(quarter: string, given: FinanceMetrics | undefined): FinanceMetrics {
  if (given === undefined) return computeMetrics(queryLedger(loadLedger(), quarter));
  if (given.quarter !== quarter) throw new ToolError("QUARTER_MISMATCH", `the metrics are for ${given.quarter}, but the report was asked for ${quarter}`);
  return given;
}

/**
 * A model's commentary as report paragraphs, refused when it states a figure the statements do
 * not hold (the model sees the error and can write it again).
 * @throws ToolError COMMENTARY_FIGURE_UNSUPPORTED naming each unsupported number.
 */
function checkedCommentary(commentary: readonly string[], m: FinanceMetrics, language: "zh" | "en"): string[] {
  const paragraphs = plainCommentary(commentary);
  const unsupported = unsupportedFigures(paragraphs, m, language);
  if (unsupported.length > 0) {
    const list = unsupported.map((u) => `${u.written} (paragraph ${u.paragraph})`).join(", ");
    throw new ToolError("COMMENTARY_FIGURE_UNSUPPORTED", `the commentary states figures the statements do not hold: ${list}; use the figures as the statements print them, or leave numbers out`);
  }
  return paragraphs;
}

/**
 * Writes the quarterly financial report as Markdown and self-contained HTML. Computes the
 * metrics and charts itself when they are not given, so it also works on its own.
 */
export const reportComposeTool = defineTool({
  name: "report.compose",
  description:
    "Writes the quarterly financial report (summary, income statement, revenue by line, commentary, charts) as Markdown " +
    "and self-contained HTML, in Chinese (zh) or English (en). Metrics and charts are computed when not given.",
  input: z.object({
    quarter: z.string().min(1).max(32).describe("a quarter like 2024Q3"),
    language: LanguageSchema,
    metrics: FinanceMetricsSchema.optional(),
    charts: z.array(ChartSchema).optional(),
    period: PeriodChoiceSchema.optional().describe("set when the task named no quarter and the ledger ends before the last ended quarter"),
    commentary: z
      .array(z.string().max(COMMENTARY_MAX_CHARS))
      .min(1)
      .max(COMMENTARY_MAX_PARAGRAPHS)
      .optional()
      .describe(
        "your commentary, one string per paragraph, in the report's language: what moved, which way and why. " +
          "Every number you write must be a figure of the statements (as printed, or an amount in 万元/millions/亿元); " +
          "omit it to use the built-in commentary",
      ),
  }),
  output: z.object({ markdown: z.string(), html: z.string() }),
  handler: async ({ quarter, language, metrics, charts, period, commentary }) => {
    const m = metricsFor(quarter.trim().toUpperCase(), metrics);
    const paragraphs = commentary ? checkedCommentary(commentary, m, language) : undefined;
    return composeReport(m, charts ?? (await renderCharts(m, language)), language, period, paragraphs);
  },
  timeoutMs: 30_000,
  idempotent: true,
});

/** Checks every figure of a report's summary and tables against the metrics. */
export const reportReviewTool = defineTool({
  name: "report.review",
  description:
    "Reads the figures back out of a report's Markdown (summary, income statement, revenue by line) and checks each " +
    "against the metrics; returns ok, how many figures were checked and every mismatch.",
  input: z.object({ markdown: z.string(), metrics: FinanceMetricsSchema, language: LanguageSchema }),
  output: ReportReviewSchema,
  handler: async ({ markdown, metrics, language }) => reviewReport(markdown, metrics, language),
  timeoutMs: 5_000,
  idempotent: true,
});

/** Writes the report's three statements as an Excel workbook (report.xlsx), base64-encoded. */
export const reportWorkbookTool = defineTool({
  name: "report.workbook",
  description:
    "Writes the quarterly report's income statement, balance sheet and cash-flow statement as an Excel workbook " +
    "(one sheet each, figures as numbers in CNY thousands), returned base64-encoded.",
  input: z.object({ metrics: FinanceMetricsSchema, language: LanguageSchema }),
  output: z.object({ xlsxBase64: z.string() }),
  handler: async ({ metrics, language }) => ({ xlsxBase64: (await buildReportWorkbook(metrics, language)).toString("base64") }),
  timeoutMs: 30_000,
  idempotent: true,
});
