import { describe, expect, it } from "vitest";
import { computeMetrics, financeMetricsTool, ledgerQueryTool, loadLedger, queryLedger } from "../../src/demo/finance/index.js";
import { independentStatement } from "./ledger-csv.js";
import { call } from "./tool-context.js";

const pct = (current: number, base: number | undefined) => (base === undefined ? null : ((current - base) / Math.abs(base)) * 100);
const previousOf = (q: string) => (q.endsWith("Q1") ? `${Number(q.slice(0, 4)) - 1}Q4` : `${q.slice(0, 5)}${Number(q.slice(5)) - 1}`);
const yearAgoOf = (q: string) => `${Number(q.slice(0, 4)) - 1}${q.slice(4)}`;

describe("computeMetrics, checked against sums taken straight from the CSV", () => {
  it.each(["2023Q1", "2023Q4", "2024Q3", "2025Q1", "2025Q2"])("agrees for %s", (quarter) => {
    const m = computeMetrics(queryLedger(loadLedger(), quarter));
    const now = independentStatement(quarter);
    const before = independentStatement(previousOf(quarter));
    const yearAgo = independentStatement(yearAgoOf(quarter));
    if (!now) throw new Error(`no rows for ${quarter}`);
    for (const key of ["revenue", "costOfSales", "grossProfit", "operatingExpenses", "operatingIncome", "netIncome"] as const) {
      expect(m[key].cents, key).toBe(now[key]);
      expect(m[key].previousCents, key).toBe(before?.[key] ?? null);
      expect(m[key].yearAgoCents, key).toBe(yearAgo?.[key] ?? null);
      const qoq = pct(now[key], before?.[key]);
      const yoy = pct(now[key], yearAgo?.[key]);
      if (qoq === null) expect(m[key].qoqPct).toBeNull();
      else expect(m[key].qoqPct).toBeCloseTo(qoq, 9);
      if (yoy === null) expect(m[key].yoyPct).toBeNull();
      else expect(m[key].yoyPct).toBeCloseTo(yoy, 9);
    }
    expect(m.grossMargin.pct).toBeCloseTo(now.grossMarginPct, 9);
    expect(m.revenueByLine.reduce((a, l) => a + l.amount.cents, 0)).toBe(now.revenue);
  });

  it("has changes of both signs across the ledger, so the story is not one-directional", () => {
    const all = loadLedger().quarters.map((q) => computeMetrics(queryLedger(loadLedger(), q)));
    const signs = (values: (number | null)[]) => new Set(values.filter((v): v is number => v !== null).map(Math.sign));
    expect(signs(all.map((m) => m.revenue.qoqPct))).toEqual(new Set([1, -1]));
    expect(signs(all.map((m) => m.netIncome.yoyPct))).toEqual(new Set([1, -1]));
  });

  it("has no comparison for the first quarter and no YoY for the first year", () => {
    const first = computeMetrics(queryLedger(loadLedger(), "2023Q1"));
    expect([first.previousQuarter, first.yearAgoQuarter, first.revenue.qoqPct, first.grossMargin.yoyPp]).toEqual([null, null, null, null]);
    const later = computeMetrics(queryLedger(loadLedger(), "2023Q4"));
    expect(later.revenue.qoqPct).not.toBeNull();
    expect(later.revenue.yoyPct).toBeNull();
  });
});

describe("finance.metrics", () => {
  it("queries the ledger itself when no extract is given", async () => {
    const output = await call(financeMetricsTool, { quarter: "2024Q3" });
    expect(output).toEqual(computeMetrics(queryLedger(loadLedger(), "2024Q3")));
  });

  it("uses the extract it is given", async () => {
    const extract = await call(ledgerQueryTool, { quarter: "2024Q2" });
    const output = await call(financeMetricsTool, { quarter: "2024Q2", extract });
    expect(output).toMatchObject({ quarter: "2024Q2", trend: expect.any(Array) });
  });

  it("refuses an extract for another quarter with QUARTER_MISMATCH", async () => {
    const extract = await call(ledgerQueryTool, { quarter: "2024Q2" });
    await expect(call(financeMetricsTool, { quarter: "2024Q3", extract })).rejects.toMatchObject({ code: "QUARTER_MISMATCH", retryable: false });
  });
});
