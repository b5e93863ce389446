import { describe, expect, it } from "vitest";
import type { Language } from "../../src/core/index.js";
import { computeMetrics, loadLedger, queryLedger } from "../../src/demo/finance/index.js";
import { balanceSheetTable, cashFlowTable, incomeStatementTable, type FigureTable } from "../../src/demo/finance/report-figures.js";
import { REPORT_TEXT } from "../../src/demo/finance/report-text.js";
import { STATEMENT_TEXT } from "../../src/demo/finance/statement-text.js";

/** A shown amount as whole tenths: "54,342.8" → 543428. */
const tenths = (cell: string | undefined): number => {
  const match = /^(-?)([\d,]+)\.(\d)$/.exec(cell ?? "");
  if (!match) throw new Error(`not a shown amount: ${cell}`);
  return (match[1] === "-" ? -1 : 1) * Number(`${(match[2] ?? "").replace(/,/g, "")}${match[3] ?? ""}`);
};

function reader(table: FigureTable | undefined) {
  if (!table) throw new Error("no table");
  return (label: string, column = 0) => {
    const row = table.rows.find((r) => r.label === label);
    if (!row) throw new Error(`no row ${label}`);
    return tenths(row.cells[column]);
  };
}

const ledger = loadLedger();

describe.each(["zh", "en"] as const)("the %s statements hold the accounting identities as shown", (language: Language) => {
  const s = STATEMENT_TEXT[language];
  const label = (lines: typeof s.balanceLines | typeof s.cashFlowLines, key: string) => lines.find((l) => l.key === key)?.label ?? key;
  const b = (key: string) => label(s.balanceLines, key);
  const c = (key: string) => label(s.cashFlowLines, key);

  it.each(ledger.quarters)("%s", (quarter) => {
    const m = computeMetrics(queryLedger(ledger, quarter));
    const income = reader(incomeStatementTable(m, language));
    const balance = reader(balanceSheetTable(m, language));
    const flow = reader(cashFlowTable(m, language));
    for (const column of [0, 1]) {
      const at = (key: string) => balance(b(key), column);
      expect(at("totalAssets")).toBe(at("cash") + at("receivables") + at("inventories") + at("prepayments") + at("fixedAssets"));
      expect(at("totalLiabilities")).toBe(at("payables") + at("payrollPayable") + at("taxPayable") + at("bankLoan"));
      expect(at("totalEquity")).toBe(at("paidInCapital") + at("retainedEarnings"));
      expect(at("totalAssets"), "assets = liabilities + equity").toBe(at("totalLiabilities") + at("totalEquity"));
      expect(at("totalLiabilitiesAndEquity")).toBe(at("totalAssets"));
      expect(at("cash")).toBeGreaterThan(0);
    }
    const change = (key: string) => balance(b(key), 2);
    expect(change("cash")).toBe(balance(b("cash"), 0) - balance(b("cash"), 1));
    // Net profit flows from the income statement to the cash flow and into retained earnings.
    const netIncome = income(REPORT_TEXT[language].rows.netIncome);
    expect(flow(c("netIncome"))).toBe(netIncome);
    expect(change("retainedEarnings")).toBe(netIncome + flow(c("dividends")));
    // Cash reconciles: the cash flow starts and ends on the balance sheet's cash line.
    expect(flow(c("openingCash"))).toBe(balance(b("cash"), 1));
    expect(flow(c("closingCash"))).toBe(balance(b("cash"), 0));
    expect(flow(c("netChange"))).toBe(flow(c("operating")) + flow(c("investing")) + flow(c("financing")));
    expect(flow(c("closingCash"))).toBe(flow(c("openingCash")) + flow(c("netChange")));
    const items = ["netIncome", "depreciation", "receivables", "inventories", "prepayments", "payables", "payrollPayable", "taxPayable"];
    expect(flow(c("operating"))).toBe(items.reduce((a, key) => a + flow(c(key)), 0));
    expect(flow(c("operating")) - netIncome - flow(c("depreciation"))).toBe(
      -change("receivables") - change("inventories") - change("prepayments") + change("payables") + change("payrollPayable") + change("taxPayable"),
    );
    expect(flow(c("investing"))).toBe(flow(c("capitalExpenditure")));
    expect(change("fixedAssets")).toBe(-flow(c("capitalExpenditure")) - flow(c("depreciation")));
    expect(flow(c("financing"))).toBe(flow(c("borrowing")) + flow(c("dividends")));
    expect(flow(c("borrowing"))).toBe(change("bankLoan"));
  });

  it("carries each quarter's closing balance sheet into the next", () => {
    const sheets = ledger.quarters.map((q) => computeMetrics(queryLedger(ledger, q)).statements);
    sheets.slice(1).forEach((next, i) => expect(next?.previousBalanceSheet).toEqual(sheets[i]?.balanceSheet));
  });
});
