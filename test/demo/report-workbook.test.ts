import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import type { Language } from "../../src/core/index.js";
import { CHART_OF_ACCOUNTS, computeMetrics, loadLedger, queryLedger, reportWorkbookTool } from "../../src/demo/finance/index.js";
import { STATEMENT_TEXT } from "../../src/demo/finance/statement-text.js";
import { call } from "./tool-context.js";

const ledger = loadLedger();
const QUARTER = "2024Q3";

/** The ledger's own sum of one account in thousands, rounded to one decimal as the report shows it. */
function ledgerThousands(quarter: string, code: string): number {
  const cents = (ledger.byQuarter.get(quarter) ?? []).filter((e) => e.account === code).reduce((a, e) => a + e.amountCents, 0);
  return Math.round(cents / 10_000) / 10;
}

const oneDecimal = (value: number) => Math.round(value * 10) / 10;

async function readBack(language: Language): Promise<ExcelJS.Workbook> {
  const metrics = computeMetrics(queryLedger(ledger, QUARTER));
  const { xlsxBase64 } = (await call(reportWorkbookTool, { metrics, language })) as { xlsxBase64: string };
  const workbook = new ExcelJS.Workbook();
  const bytes = Buffer.from(xlsxBase64, "base64");
  // exceljs types `load` with its own Buffer interface (an ArrayBuffer); hand it the bytes' own slice.
  await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return workbook;
}

/** The row whose first cell is `label`, as its numbers. */
function rowNumbers(sheet: ExcelJS.Worksheet, label: string): unknown[] {
  for (let r = 1; r <= sheet.rowCount; r += 1) {
    const row = sheet.getRow(r);
    if (row.getCell(1).value === label) return (row.values as unknown[]).slice(2);
  }
  throw new Error(`no row ${label} in ${sheet.name}`);
}

describe("report.workbook", () => {
  it("has the three statements as sheets, the quarter in each title, numbers with number formats", async () => {
    const workbook = await readBack("zh");
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["利润表", "资产负债表", "现金流量表"]);
    for (const sheet of workbook.worksheets) {
      expect(String(sheet.getCell("A1").value)).toContain("2024年第三季度");
      expect(sheet.getCell("A1").value).toContain("银松仪器有限公司");
    }
    const income = workbook.getWorksheet("利润表");
    if (!income) throw new Error("no income sheet");
    expect(income.getRow(3).values).toEqual([undefined, "项目", "2024年第三季度", "2024年第二季度", "环比", "2023年第三季度", "同比"]);
    const revenue = rowNumbers(income, "营业收入");
    expect(revenue.every((v) => typeof v === "number")).toBe(true);
    const revenueRow = income.getRow(4);
    expect(revenueRow.getCell(2).numFmt).toBe("#,##0.0;-#,##0.0;0.0");
    expect(revenueRow.getCell(4).numFmt).toBe("+0.0%;-0.0%;0.0%");
    expect(revenueRow.font?.bold).toBe(true);
  });

  it("holds the ledger's figures for the quarter and the ones compared; totals are the sums of the lines shown", async () => {
    const workbook = await readBack("en");
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Income statement", "Balance sheet", "Cash-flow statement"]);
    const income = workbook.getWorksheet("Income statement");
    if (!income) throw new Error("no income sheet");
    const lines = CHART_OF_ACCOUNTS.filter((a) => a.category === "revenue" || a.category === "cost_of_sales" || a.category === "operating_expense");
    for (const account of lines) {
      const [now, previous, , yearAgo] = rowNumbers(income, account.name.en);
      expect([now, previous, yearAgo], account.name.en).toEqual([ledgerThousands("2024Q3", account.code), ledgerThousands("2024Q2", account.code), ledgerThousands("2023Q3", account.code)]);
    }
    const revenueLines = CHART_OF_ACCOUNTS.filter((a) => a.category === "revenue").map((a) => ledgerThousands(QUARTER, a.code));
    expect(rowNumbers(income, "Revenue")[0]).toBe(oneDecimal(revenueLines.reduce((a, b) => a + b, 0)));
    expect(rowNumbers(income, "Income tax")[0]).toBe(ledgerThousands(QUARTER, "8100"));
    // Margins are fractions formatted as percent, as Excel expects.
    const grossMargin = rowNumbers(income, "Gross margin")[0] as number;
    expect(grossMargin).toBeGreaterThan(0);
    expect(grossMargin).toBeLessThan(1);
  });

  it("adds up in the sheet: balance-sheet totals are the sums of their lines, cash flow ends on the balance sheet's cash", async () => {
    const workbook = await readBack("en");
    const t = STATEMENT_TEXT.en;
    const label = (key: string) => t.balanceLines.find((l) => l.key === key)?.label ?? key;
    const balance = workbook.getWorksheet("Balance sheet");
    const flow = workbook.getWorksheet("Cash-flow statement");
    if (!balance || !flow) throw new Error("missing sheets");
    const at = (key: string) => rowNumbers(balance, label(key))[0] as number;
    const sum = (...keys: string[]) => oneDecimal(keys.reduce((a, k) => a + at(k), 0));
    expect(at("totalAssets")).toBe(sum("cash", "receivables", "inventories", "prepayments", "fixedAssets"));
    expect(at("totalLiabilitiesAndEquity")).toBe(at("totalAssets"));
    const closing = t.cashFlowLines.find((l) => l.key === "closingCash")?.label ?? "";
    expect(rowNumbers(flow, closing)[0]).toBe(at("cash"));
  });
});
