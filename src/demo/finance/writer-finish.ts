import { z } from "zod";
import type { Decision, FinishHook, Turn } from "../../agents/index.js";
import type { Artifact, ErrorInfo, Language } from "../../core/index.js";
import { computeMetrics } from "./compute-metrics.js";
import { FinanceMetricsSchema, type FinanceMetrics } from "./finance-metrics.js";
import { findDependencyOutput, turnOutput } from "./find-dependency-output.js";
import { loadLedger } from "./load-ledger.js";
import { queryLedger } from "./query-ledger.js";
import { chartFile, ChartSchema, renderCharts, type Chart } from "./render-charts.js";
import { buildReportWorkbook, XLSX_MEDIA_TYPE } from "./report-workbook.js";
import { reviewReport, type ReportReview } from "./review-report.js";

const ReportSchema = z.object({ markdown: z.string(), html: z.string() });
const ComposeInputSchema = z.object({
  quarter: z.string(),
  language: z.enum(["zh", "en"]),
  metrics: FinanceMetricsSchema.optional(),
  charts: z.array(ChartSchema).optional(),
});
const WorkbookSchema = z.object({ xlsxBase64: z.string() });
const WorkbookInputSchema = z.object({ metrics: z.object({ quarter: z.string() }), language: z.enum(["zh", "en"]) });

const fail = (code: string, message: string): Decision => ({ type: "fail", error: { code, message } });

/** The review's mismatches as one error. */
export function reviewFailure(review: ReportReview): ErrorInfo {
  const list = review.mismatches.map((m) => `${m.label}: expected ${m.expected}, found ${m.found}`).join("; ");
  return { code: "REPORT_REVIEW_FAILED", message: `the report's figures disagree with the metrics (${review.mismatches.length} of ${review.checked}): ${list}` };
}

/** The report files: Markdown, HTML, the workbook, and the chart files report.md links. */
export function reportArtifacts(report: z.infer<typeof ReportSchema>, charts: readonly Chart[], xlsxBase64: string): Artifact[] {
  return [
    { name: "report.md", mediaType: "text/markdown", content: report.markdown },
    { name: "report.html", mediaType: "text/html", content: report.html },
    { name: "report.xlsx", mediaType: XLSX_MEDIA_TYPE, content: xlsxBase64, encoding: "base64" },
    // report.md links these files; report.html carries the same charts inline.
    ...charts.map((chart): Artifact => ({ name: chartFile(chart), mediaType: "image/svg+xml", content: chart.svg })),
  ];
}

/** What the subtask's calls did, for an error that says why there is no report. */
function callsSoFar(history: readonly Turn[]): string {
  if (history.length === 0) return "no tool was called";
  const calls = history.map((t) => `${t.tool}: ${t.result.status === "success" ? "ok" : t.result.error.code}`).join(", ");
  const last = history.at(-1)?.result;
  return last?.status === "failed" ? `calls: ${calls}; the last one failed: ${last.error.message}` : `calls: ${calls}`;
}

/** The workbook the model had written, when it was for these metrics and language. */
function workbookFor(history: readonly Turn[], metrics: FinanceMetrics, language: Language): string | undefined {
  const turn = history.findLast((t) => t.tool === "report.workbook" && t.result.status === "success");
  const input = WorkbookInputSchema.safeParse(turn?.input);
  if (!input.success || input.data.metrics.quarter !== metrics.quarter || input.data.language !== language) return undefined;
  return WorkbookSchema.safeParse(turn?.result.status === "success" ? turn.result.output : undefined).data?.xlsxBase64;
}

/** The metrics the composed report was written from. */
function metricsOf(input: z.infer<typeof ComposeInputSchema>, dependencies: Parameters<FinishHook>[0]["dependencies"]): FinanceMetrics {
  const quarter = input.quarter.trim().toUpperCase();
  if (input.metrics) return input.metrics;
  const given = findDependencyOutput(dependencies, FinanceMetricsSchema);
  return given?.quarter === quarter ? given : computeMetrics(queryLedger(loadLedger(), quarter));
}

/**
 * The writer's check of "done", for any model: the report exists only when report.compose
 * succeeded. The hook then reviews the composed Markdown against the metrics (whether or not
 * the model asked for a review), and takes the charts and the workbook from the model's calls,
 * building them from the same metrics when the model skipped those calls — the files come
 * from the tools, never from the model's text. The rules policy finishes with its artifacts
 * already made, and passes through unchanged.
 */
export const finishWriting: FinishHook = async ({ history, dependencies, subtask }, decision) => {
  if (decision.artifacts && decision.artifacts.length > 0) return decision;
  const composeTurn = history.findLast((t) => t.tool === "report.compose" && t.result.status === "success");
  const composed = turnOutput(history, "report.compose", ReportSchema);
  const input = ComposeInputSchema.safeParse(composeTurn?.input);
  if (!composeTurn || !composed?.ok || !input.success) {
    return fail(
      "REPORT_NOT_PRODUCED",
      `the writer finished without a report: report.compose never succeeded (${callsSoFar(history)}). ` +
        "A writer model must call the report tools; use a model with tool calling, or keep the writer on its rules (writer=rules)",
    );
  }
  const metrics = metricsOf(input.data, dependencies);
  const wanted = findDependencyOutput(dependencies, FinanceMetricsSchema)?.quarter ?? (typeof subtask.input.quarter === "string" ? subtask.input.quarter : undefined);
  if (wanted !== undefined && wanted !== metrics.quarter) {
    return fail("QUARTER_MISMATCH", `the writer composed a report for ${metrics.quarter}, but the subtask is about ${wanted}`);
  }
  const language: Language = input.data.language;
  const review = reviewReport(composed.value.markdown, metrics, language);
  if (!review.ok) return { type: "fail", error: reviewFailure(review) };
  // The charts report.md links: those given to report.compose, else the ones it drew itself
  // from the same metrics (drawing is deterministic).
  const charts = input.data.charts ?? (await renderCharts(metrics, language));
  const xlsxBase64 = workbookFor(history, metrics, language) ?? (await buildReportWorkbook(metrics, language)).toString("base64");
  const note = typeof decision.output === "string" && decision.output.trim() !== "" ? { note: decision.output.trim() } : {};
  return {
    type: "finish",
    output: { quarter: metrics.quarter, language, review, ...note },
    artifacts: reportArtifacts(composed.value, charts, xlsxBase64),
  };
};
