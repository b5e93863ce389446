import { z } from "zod";
import { defineTool, ToolError } from "../../tools/index.js";
import { computeMetrics } from "./compute-metrics.js";
import { FinanceMetricsSchema } from "./finance-metrics.js";
import { LedgerExtractSchema } from "./ledger-extract.js";
import { loadLedger } from "./load-ledger.js";
import { queryLedger } from "./query-ledger.js";

/**
 * Computes a quarter's income statement with QoQ and YoY changes, margins and revenue by line.
 * Uses the given ledger extract, or queries the ledger itself so it also works on its own.
 * Fails with UNKNOWN_QUARTER or QUARTER_MISMATCH (extract for another quarter), not retryable.
 */
export const financeMetricsTool = defineTool({
  name: "finance.metrics",
  description:
    "Computes revenue, cost of sales, gross profit and margin, operating expenses, operating income and net income " +
    "(after interest and tax) for a quarter, each with QoQ and YoY change, plus revenue by line and a five-quarter trend. " +
    "Pass the ledger.query extract, or only the quarter to query the ledger directly.",
  input: z.object({
    quarter: z.string().min(1).max(32).describe("a quarter like 2024Q3"),
    extract: LedgerExtractSchema.optional().describe("the output of ledger.query for this quarter"),
  }),
  output: FinanceMetricsSchema,
  handler: async ({ quarter, extract }) => {
    const wanted = quarter.trim().toUpperCase();
    if (extract && extract.quarter !== wanted) {
      throw new ToolError("QUARTER_MISMATCH", `the extract is for ${extract.quarter}, but metrics were asked for ${wanted}`);
    }
    return computeMetrics(extract ?? queryLedger(loadLedger(), wanted));
  },
  timeoutMs: 5_000,
  idempotent: true,
});
