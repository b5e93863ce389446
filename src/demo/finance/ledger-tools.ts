import { z } from "zod";
import { defineTool } from "../../tools/index.js";
import { LedgerExtractSchema, QuarterSchema } from "./ledger-extract.js";
import { loadLedger } from "./load-ledger.js";
import { queryLedger } from "./query-ledger.js";

/** Lists the quarters the ledger holds and the latest one whose books are closed. */
export const ledgerQuartersTool = defineTool({
  name: "ledger.quarters",
  description: "Lists the quarters in the company's general ledger (e.g. 2023Q1…2025Q2) and the latest complete quarter.",
  input: z.object({}),
  output: z.object({ quarters: z.array(QuarterSchema), first: QuarterSchema, latestComplete: QuarterSchema }),
  handler: async () => {
    const ledger = loadLedger();
    return { quarters: [...ledger.quarters], first: ledger.quarters[0] ?? ledger.latestComplete, latestComplete: ledger.latestComplete };
  },
  timeoutMs: 5_000,
  idempotent: true,
});

/**
 * Extracts one quarter from the ledger: per-account totals and transaction counts for the
 * quarter, the quarter before, the same quarter a year earlier and the last five quarters.
 * Fails with UNKNOWN_QUARTER (not retryable) for a quarter the ledger does not hold.
 */
export const ledgerQueryTool = defineTool({
  name: "ledger.query",
  description:
    "Extracts a quarter from the general ledger: per-account totals in cents and transaction counts for the quarter, " +
    "the previous quarter and the same quarter a year earlier (null when outside the ledger), plus the last five quarters.",
  input: z.object({ quarter: z.string().min(1).max(32).describe("a quarter like 2024Q3") }),
  output: LedgerExtractSchema,
  // Concurrent reports (many runs on one worker) share one pass over the parsed ledger, and
  // the ledger does not change while the process runs, so extracts are cached for everyone.
  batch: {
    maxSize: 50,
    maxWaitMs: 2,
    handler: async (inputs) => {
      const ledger = loadLedger();
      return inputs.map(({ quarter }) => {
        try {
          return queryLedger(ledger, quarter.trim().toUpperCase());
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      });
    },
  },
  cache: { ttlMs: 5 * 60_000, scope: "global" },
  timeoutMs: 5_000,
  idempotent: true,
});
