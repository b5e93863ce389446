import type { Worksheet } from "exceljs";
import type { Language } from "../../core/index.js";
import type { FinanceMetrics } from "./finance-metrics.js";
import { quarterLabel } from "./quarter.js";
import { balanceSheetTable, cashFlowTable, incomeStatementTable, type FigureTable, type FigureValue } from "./report-figures.js";
import { REPORT_TEXT } from "./report-text.js";
import { STATEMENT_TEXT } from "./statement-text.js";

export const XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const UNIT_LINE: Readonly<Record<Language, string>> = {
  en: "Unaudited. Amounts in CNY thousands; percentages of revenue; changes in percent or percentage points (pp).",
  zh: "未经审计。金额单位：人民币千元；比率为占营业收入的百分比；变动以百分比或百分点列示。",
};

// Excel number formats per kind of figure; percentages are stored as fractions (0.532), the
// way Excel expects them, so a reader's own formulas work on them.
const FORMATS: Readonly<Record<NonNullable<FigureValue>["unit"], (language: Language) => string>> = {
  thousand: () => "#,##0.0;-#,##0.0;0.0",
  percent: () => "0.0%",
  changePct: () => "+0.0%;-0.0%;0.0%",
  changePp: (language) => (language === "zh" ? '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"' : '+0.0" pp";-0.0" pp";0.0" pp"'),
};

function cellNumber(value: NonNullable<FigureValue>): number {
  return value.unit === "percent" || value.unit === "changePct" ? value.value / 100 : value.value;
}

function fillSheet(sheet: Worksheet, title: string, table: FigureTable, language: Language): void {
  const width = table.columns.length;
  sheet.columns = table.columns.map((_, i) => ({ width: i === 0 ? 36 : 18 }));
  sheet.addRow([title]).font = { bold: true, size: 14 };
  sheet.mergeCells(1, 1, 1, width);
  sheet.addRow([UNIT_LINE[language]]).font = { italic: true, color: { argb: "FF45525F" } };
  sheet.mergeCells(2, 1, 2, width);
  const header = sheet.addRow([...table.columns]);
  header.font = { bold: true };
  header.eachCell((cell, column) => {
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFEEF3F8" } };
    cell.alignment = { horizontal: column === 1 ? "left" : "right" };
  });
  for (const row of table.rows) {
    const added = sheet.addRow([row.label, ...row.values.map((v) => (v === null ? null : cellNumber(v)))]);
    row.values.forEach((value, i) => {
      if (value !== null) added.getCell(i + 2).numFmt = FORMATS[value.unit](language);
    });
    if (row.strong) added.font = { bold: true };
    if (row.indent) added.getCell(1).alignment = { indent: 2 };
  }
  sheet.views = [{ state: "frozen", ySplit: 3, xSplit: 1 }];
}

/**
 * The report's three statements as an Excel workbook, one sheet each (income statement,
 * balance sheet, cash-flow statement), with figures as numbers rounded as the report shows
 * them, so a column's lines add up to its total in the spreadsheet too. exceljs is loaded
 * only when a workbook is written.
 */
export async function buildReportWorkbook(m: FinanceMetrics, language: Language): Promise<Buffer> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "cs-agents";
  const company = m.company[language];
  const quarter = quarterLabel(m.quarter, language);
  const statements = STATEMENT_TEXT[language];
  const sheets: [string, FigureTable | undefined][] = [
    [REPORT_TEXT[language].headings.incomeStatement, incomeStatementTable(m, language)],
    [statements.balanceSheet, balanceSheetTable(m, language)],
    [statements.cashFlow, cashFlowTable(m, language)],
  ];
  for (const [name, table] of sheets) {
    if (!table) continue;
    const title = language === "zh" ? `${company} ${quarter}${name}` : `${company} — ${name}, ${quarter}`;
    fillSheet(workbook.addWorksheet(name), title, table, language);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
