import type { Tool } from "../../tools/index.js";
import { ledgerQueryTool, ledgerQuartersTool } from "./ledger-tools.js";
import { financeMetricsTool } from "./finance-metrics-tool.js";
import { reportChartsTool, reportComposeTool, reportReviewTool, reportWorkbookTool } from "./report-tools.js";

export { CHART_OF_ACCOUNTS, type Account, type AccountCategory } from "./chart-of-accounts.js";
export { COMPANY, CURRENCY } from "./company.js";
export { computeMetrics } from "./compute-metrics.js";
export { FinanceMetricsSchema, type FinanceMetrics } from "./finance-metrics.js";
export { analystAgent, dataAgent, financeAgents, writerAgent } from "./finance-agents.js";
export { generateLedger, LEDGER_SEED } from "./generate-ledger.js";
export { LedgerExtractSchema, type LedgerExtract } from "./ledger-extract.js";
export { loadLedger } from "./load-ledger.js";
export { parseLedger, type Ledger, type LedgerEntry } from "./parse-ledger.js";
export { queryLedger } from "./query-ledger.js";
export { buildStatements, type BalanceSheet, type CashFlow, type QuarterStatements } from "./statements.js";
export { createQuarterlyReportTemplate, quarterlyReportTemplate } from "./quarterly-report-template.js";
export { PeriodChoiceSchema, type PeriodChoice } from "./resolve-quarter.js";
export { ReportReviewSchema, reviewReport, type ReportReview } from "./review-report.js";
export { buildReportWorkbook, XLSX_MEDIA_TYPE } from "./report-workbook.js";
export { ledgerQueryTool, ledgerQuartersTool, financeMetricsTool, reportChartsTool, reportComposeTool, reportReviewTool, reportWorkbookTool };

/** The quarterly-report domain's tools, ready to register. */
export const financeTools: readonly Tool[] = [
  ledgerQuartersTool,
  ledgerQueryTool,
  financeMetricsTool,
  reportChartsTool,
  reportComposeTool,
  reportReviewTool,
  reportWorkbookTool,
];
