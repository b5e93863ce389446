import { z } from "zod";
import type { Decision, RulesPolicy, TurnContext } from "../../agents/index.js";
import type { ErrorInfo } from "../../core/index.js";
import { FinanceMetricsSchema, type FinanceMetrics } from "./finance-metrics.js";
import { findDependencyOutput, turnOutput } from "./find-dependency-output.js";
import { ChartSchema, type Chart } from "./render-charts.js";
import { ReportReviewSchema, type ReportReview } from "./review-report.js";
import { reportArtifacts, reviewFailure } from "./writer-finish.js";
import { PeriodChoiceSchema } from "./resolve-quarter.js";

const ChartsSchema = z.object({ charts: z.array(ChartSchema) });
const ReportSchema = z.object({ markdown: z.string(), html: z.string() });
const LanguageSchema = z.enum(["zh", "en"]);
const WorkbookSchema = z.object({ xlsxBase64: z.string() });

const fail = (error: ErrorInfo): Decision => ({ type: "fail", error });

interface Written {
  readonly report: z.infer<typeof ReportSchema>;
  readonly charts: readonly Chart[];
  readonly workbook: z.infer<typeof WorkbookSchema>;
}

function finish(quarter: string, language: string, review: ReportReview, { report, charts, workbook }: Written): Decision {
  return { type: "finish", output: { quarter, language, review }, artifacts: reportArtifacts(report, charts, workbook.xlsxBase64) };
}

/** The next call in charts → compose → review → workbook, or the end, given the metrics to write about. */
function nextStep({ subtask, language: planLanguage, history }: TurnContext, metrics: FinanceMetrics): Decision {
  const language = LanguageSchema.safeParse(subtask.input.language).data ?? planLanguage;
  const quarter = typeof subtask.input.quarter === "string" ? subtask.input.quarter : metrics.quarter;
  const charts = turnOutput(history, "report.charts", ChartsSchema);
  if (!charts) return { type: "call", tool: "report.charts", input: { metrics, language } };
  if (!charts.ok) return fail(charts.error);
  const report = turnOutput(history, "report.compose", ReportSchema);
  // The plan's reason for an earlier quarter than "last quarter", when it has one.
  const period = PeriodChoiceSchema.safeParse(subtask.input.period).data;
  if (!report) return { type: "call", tool: "report.compose", input: { quarter, language, metrics, charts: charts.value.charts, ...(period ? { period } : {}) } };
  if (!report.ok) return fail(report.error);
  const review = turnOutput(history, "report.review", ReportReviewSchema);
  if (!review) return { type: "call", tool: "report.review", input: { markdown: report.value.markdown, metrics, language } };
  if (!review.ok) return fail(review.error);
  if (!review.value.ok) return fail(reviewFailure(review.value));
  // The spreadsheet is written only for a report whose figures passed the review.
  const workbook = turnOutput(history, "report.workbook", WorkbookSchema);
  if (!workbook) return { type: "call", tool: "report.workbook", input: { metrics, language } };
  if (!workbook.ok) return fail(workbook.error);
  return finish(quarter, language, review.value, { report: report.value, charts: charts.value.charts, workbook: workbook.value });
}

/**
 * The writer: draws the charts, composes the report, has it reviewed against the metrics,
 * writes the statements as a workbook, and finishes with `{ quarter, language, review }` plus
 * the artifacts `report.md`, `report.html`, `report.xlsx` and the chart files. Fails with the tool's error when a call fails, MISSING_DEPENDENCY without the
 * analyst's metrics, and REPORT_REVIEW_FAILED listing the mismatches when the review finds any.
 */
export const writerPolicy: RulesPolicy = (context) => {
  const last = context.history.at(-1);
  if (last?.result.status === "failed") return fail(last.result.error);
  const metrics = findDependencyOutput(context.dependencies, FinanceMetricsSchema);
  if (!metrics) {
    return fail({ code: "MISSING_DEPENDENCY", message: "the writer needs the output of finance.metrics from a dependency subtask" });
  }
  return nextStep(context, metrics);
};
