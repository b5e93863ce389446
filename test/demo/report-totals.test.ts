import { describe, expect, it } from "vitest";
import type { Language } from "../../src/core/index.js";
import { computeMetrics, loadLedger, queryLedger } from "../../src/demo/finance/index.js";
import { incomeStatementTable, revenueByLineTable, type FigureTable } from "../../src/demo/finance/report-figures.js";
import { REPORT_TEXT } from "../../src/demo/finance/report-text.js";

/** A shown figure as whole tenths: "54,342.8" → 543428, "12.5%" → 125; null for "—". */
const tenths = (cell: string | undefined): number | null => {
  if (cell === undefined || cell === "—") return null;
  const match = /^(-?)([\d,]+)\.(\d)%?$/.exec(cell);
  if (!match) throw new Error(`not a shown figure: ${cell}`);
  return (match[1] === "-" ? -1 : 1) * Number(`${(match[2] ?? "").replace(/,/g, "")}${match[3] ?? ""}`);
};

function rowOf(table: FigureTable, label: string) {
  const row = table.rows.find((r) => r.label === label);
  if (!row) throw new Error(`no row ${label}`);
  return row;
}

/** The indented rows right under the total `label`. */
function partsOf(table: FigureTable, label: string) {
  const start = table.rows.findIndex((r) => r.label === label);
  const parts = [];
  for (const row of table.rows.slice(start + 1)) {
    if (!row.indent) break;
    parts.push(row);
  }
  return parts;
}

const quarters = loadLedger().quarters;

describe.each(["zh", "en"] as const)("the %s report's tables add up as shown", (language: Language) => {
  const r = REPORT_TEXT[language].rows;

  it.each(quarters)("income statement, %s, every amount column", (quarter) => {
    const table = incomeStatementTable(computeMetrics(queryLedger(loadLedger(), quarter)), language);
    // Amount columns: the quarter, the previous quarter, the year-earlier quarter.
    for (const column of [0, 1, 3]) {
      const at = (label: string) => tenths(rowOf(table, label).cells[column]);
      if (at(r.revenue) === null) continue;
      const sum = (label: string) => partsOf(table, label).reduce((a, row) => a + (tenths(row.cells[column]) ?? Number.NaN), 0);
      const where = `${quarter} column ${column}`;
      expect(partsOf(table, r.revenue).length, where).toBeGreaterThan(1);
      expect(at(r.revenue), where).toBe(sum(r.revenue));
      expect(at(r.costOfSales), where).toBe(sum(r.costOfSales));
      expect(at(r.operatingExpenses), where).toBe(sum(r.operatingExpenses));
      expect(at(r.grossProfit), where).toBe((at(r.revenue) ?? 0) - (at(r.costOfSales) ?? 0));
      expect(at(r.operatingIncome), where).toBe((at(r.grossProfit) ?? 0) - (at(r.operatingExpenses) ?? 0));
      expect(at(r.pretaxIncome), where).toBe((at(r.operatingIncome) ?? 0) - (at(r.financeCosts) ?? 0));
      expect(at(r.netIncome), where).toBe((at(r.pretaxIncome) ?? 0) - (at(r.incomeTax) ?? 0));
    }
  });

  it.each(quarters)("revenue by line, %s: lines sum to the total, shares to 100.0 percent", (quarter) => {
    const table = revenueByLineTable(computeMetrics(queryLedger(loadLedger(), quarter)), language);
    const lines = table.rows.filter((row) => !row.strong);
    const total = table.rows.find((row) => row.strong);
    expect(lines.length).toBeGreaterThan(1);
    expect(tenths(total?.cells[0])).toBe(lines.reduce((a, row) => a + (tenths(row.cells[0]) ?? Number.NaN), 0));
    expect(lines.reduce((a, row) => a + (tenths(row.cells[1]) ?? Number.NaN), 0)).toBe(1000);
  });
});
