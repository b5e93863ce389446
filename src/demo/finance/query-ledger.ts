import { ToolError } from "../../tools/index.js";
import { CHART_OF_ACCOUNTS } from "./chart-of-accounts.js";
import { COMPANY, CURRENCY } from "./company.js";
import type { LedgerExtract, PeriodTotals } from "./ledger-extract.js";
import type { Ledger } from "./parse-ledger.js";
import { QUARTER_PATTERN, shiftQuarter } from "./quarter.js";
import { buildStatements, type QuarterStatements } from "./statements.js";

/** Quarters of history in an extract, the asked one included. */
export const TREND_QUARTERS = 5;

/**
 * @throws ToolError (UNKNOWN_QUARTER, not retryable) when the quarter is malformed or has no
 *   closed books in the ledger, naming the available range.
 */
export function assertKnownQuarter(ledger: Ledger, quarter: string): void {
  if (QUARTER_PATTERN.test(quarter) && ledger.byQuarter.has(quarter) && quarter <= ledger.latestComplete) return;
  throw new ToolError(
    "UNKNOWN_QUARTER",
    `the ledger has no closed quarter "${quarter}"; available: ${ledger.quarters[0] ?? "?"}–${ledger.latestComplete}`,
  );
}

function periodTotals(ledger: Ledger, quarter: string): PeriodTotals | null {
  const entries = ledger.byQuarter.get(quarter);
  if (!entries) return null;
  const accounts = CHART_OF_ACCOUNTS.map((account) => {
    const booked = entries.filter((e) => e.account === account.code);
    const totalCents = booked.reduce((sum, e) => sum + e.amountCents, 0);
    return { code: account.code, category: account.category, name: { ...account.name }, totalCents, transactionCount: booked.length };
  });
  return { quarter, transactionCount: entries.length, accounts };
}

// A ledger never changes once parsed, so its statements are built once per ledger.
const statementsByLedger = new WeakMap<Ledger, Map<string, QuarterStatements>>();

function statementsOf(ledger: Ledger, quarter: string): QuarterStatements | undefined {
  let all = statementsByLedger.get(ledger);
  if (all === undefined) {
    all = buildStatements(ledger);
    statementsByLedger.set(ledger, all);
  }
  return all.get(quarter);
}

/**
 * Per-account totals for `quarter`, the quarter before, the same quarter a year earlier and
 * the recent trend.
 * @throws ToolError (UNKNOWN_QUARTER) — see assertKnownQuarter.
 */
export function queryLedger(ledger: Ledger, quarter: string): LedgerExtract {
  assertKnownQuarter(ledger, quarter);
  const current = periodTotals(ledger, quarter);
  if (!current) throw new ToolError("UNKNOWN_QUARTER", `the ledger has no quarter "${quarter}"`);
  const trend: PeriodTotals[] = [];
  for (let back = TREND_QUARTERS - 1; back >= 0; back -= 1) {
    const period = periodTotals(ledger, shiftQuarter(quarter, -back));
    if (period) trend.push(period);
  }
  return {
    company: { ...COMPANY },
    currency: CURRENCY,
    quarter,
    current,
    previous: periodTotals(ledger, shiftQuarter(quarter, -1)),
    yearAgo: periodTotals(ledger, shiftQuarter(quarter, -4)),
    trend,
    statements: statementsOf(ledger, quarter),
  };
}
