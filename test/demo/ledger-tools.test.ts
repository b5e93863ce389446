import { describe, expect, it } from "vitest";
import { financeTools, ledgerQueryTool, ledgerQuartersTool } from "../../src/demo/finance/index.js";
import { ToolError } from "../../src/tools/index.js";
import { readLedgerRows } from "./ledger-csv.js";
import { call } from "./tool-context.js";

describe("ledger.quarters", () => {
  it("lists the quarters and the latest complete one", async () => {
    const output = await call(ledgerQuartersTool, {});
    expect(output).toMatchObject({ first: "2023Q1", latestComplete: "2025Q2" });
    expect((output as { quarters: string[] }).quarters).toHaveLength(10);
  });
});

describe("ledger.query", () => {
  it("returns per-account totals and counts for the quarter, the one before and a year earlier", async () => {
    const extract = (await call(ledgerQueryTool, { quarter: "2024Q3" })) as {
      current: { quarter: string; transactionCount: number; accounts: { code: string; totalCents: number; transactionCount: number }[] };
      previous: { quarter: string } | null;
      yearAgo: { quarter: string } | null;
      trend: { quarter: string }[];
    };
    const rows = readLedgerRows().filter((r) => r.quarter === "2024Q3");
    expect(extract.current.transactionCount).toBe(rows.length);
    const product = extract.current.accounts.find((a) => a.code === "4100");
    expect(product?.totalCents).toBe(rows.filter((r) => r.account === "4100").reduce((a, r) => a + r.cents, 0));
    expect(product?.transactionCount).toBe(rows.filter((r) => r.account === "4100").length);
    expect([extract.previous?.quarter, extract.yearAgo?.quarter]).toEqual(["2024Q2", "2023Q3"]);
    expect(extract.trend.map((p) => p.quarter)).toEqual(["2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3"]);
  });

  it("gives null comparisons before the ledger starts", async () => {
    const extract = (await call(ledgerQueryTool, { quarter: "2023Q1" })) as { previous: unknown; yearAgo: unknown; trend: unknown[] };
    expect([extract.previous, extract.yearAgo, extract.trend.length]).toEqual([null, null, 1]);
  });

  it.each(["2019Q3", "2025Q3", "2024Q7", "last quarter"])("fails for %s with UNKNOWN_QUARTER (not retryable) naming the range", async (quarter) => {
    const failure = call(ledgerQueryTool, { quarter });
    await expect(failure).rejects.toBeInstanceOf(ToolError);
    await expect(failure).rejects.toMatchObject({ code: "UNKNOWN_QUARTER", retryable: false, message: expect.stringContaining("2023Q1–2025Q2") });
  });
});

describe("financeTools", () => {
  it("are all idempotent, with unique names and a timeout", () => {
    expect(new Set(financeTools.map((t) => t.name)).size).toBe(financeTools.length);
    expect(financeTools.map((t) => t.name)).toEqual(["ledger.quarters", "ledger.query", "finance.metrics", "report.charts", "report.compose", "report.review", "report.workbook"]);
    expect(financeTools.every((t) => t.idempotent && t.timeoutMs > 0)).toBe(true);
  });
});
