import type { Language } from "../../core/index.js";
import type { BalanceSheet, CashFlow } from "./statements.js";

/** A statement's rows in order: which figure, its label, and whether it is a total. */
export interface StatementLine<K> {
  readonly key: K;
  readonly label: string;
  readonly strong: boolean;
}

interface StatementText {
  readonly balanceSheet: string;
  readonly cashFlow: string;
  readonly quarterEnd: (quarter: string) => string;
  readonly change: string;
  readonly balanceLines: readonly StatementLine<keyof BalanceSheet>[];
  readonly cashFlowLines: readonly StatementLine<keyof CashFlow>[];
}

const line = <K>(key: K, label: string, strong = false): StatementLine<K> => ({ key, label, strong });

const EN: StatementText = {
  balanceSheet: "Balance sheet",
  cashFlow: "Cash-flow statement",
  quarterEnd: (quarter) => `End of ${quarter}`,
  change: "Change",
  balanceLines: [
    line("cash", "Cash and cash equivalents"),
    line("receivables", "Trade receivables"),
    line("inventories", "Inventories"),
    line("prepayments", "Prepayments"),
    line("fixedAssets", "Property, plant and equipment"),
    line("totalAssets", "Total assets", true),
    line("payables", "Trade payables"),
    line("payrollPayable", "Payroll payable"),
    line("taxPayable", "Taxes payable"),
    line("bankLoan", "Long-term bank loan"),
    line("totalLiabilities", "Total liabilities", true),
    line("paidInCapital", "Paid-in capital"),
    line("retainedEarnings", "Retained earnings"),
    line("totalEquity", "Total equity", true),
    line("totalLiabilitiesAndEquity", "Total liabilities and equity", true),
  ],
  cashFlowLines: [
    line("netIncome", "Net income"),
    line("depreciation", "Add: depreciation"),
    line("receivables", "Decrease (increase) in trade receivables"),
    line("inventories", "Decrease (increase) in inventories"),
    line("prepayments", "Decrease (increase) in prepayments"),
    line("payables", "Increase (decrease) in trade payables"),
    line("payrollPayable", "Increase (decrease) in payroll payable"),
    line("taxPayable", "Increase (decrease) in taxes payable"),
    line("operating", "Net cash from operating activities", true),
    line("capitalExpenditure", "Purchases of property, plant and equipment"),
    line("investing", "Net cash from investing activities", true),
    line("borrowing", "Bank loan drawn (repaid)"),
    line("dividends", "Dividends paid"),
    line("financing", "Net cash from financing activities", true),
    line("netChange", "Net change in cash", true),
    line("openingCash", "Cash at the beginning of the quarter"),
    line("closingCash", "Cash at the end of the quarter", true),
  ],
};

const ZH: StatementText = {
  balanceSheet: "资产负债表",
  cashFlow: "现金流量表",
  quarterEnd: (quarter) => `${quarter}末`,
  change: "变动",
  balanceLines: [
    line("cash", "货币资金"),
    line("receivables", "应收账款"),
    line("inventories", "存货"),
    line("prepayments", "预付款项"),
    line("fixedAssets", "固定资产"),
    line("totalAssets", "资产总计", true),
    line("payables", "应付账款"),
    line("payrollPayable", "应付职工薪酬"),
    line("taxPayable", "应交税费"),
    line("bankLoan", "长期借款"),
    line("totalLiabilities", "负债合计", true),
    line("paidInCapital", "实收资本"),
    line("retainedEarnings", "未分配利润"),
    line("totalEquity", "所有者权益合计", true),
    line("totalLiabilitiesAndEquity", "负债和所有者权益总计", true),
  ],
  cashFlowLines: [
    line("netIncome", "净利润"),
    line("depreciation", "加：固定资产折旧"),
    line("receivables", "应收账款的减少（增加以“-”号填列）"),
    line("inventories", "存货的减少（增加以“-”号填列）"),
    line("prepayments", "预付款项的减少（增加以“-”号填列）"),
    line("payables", "应付账款的增加（减少以“-”号填列）"),
    line("payrollPayable", "应付职工薪酬的增加（减少以“-”号填列）"),
    line("taxPayable", "应交税费的增加（减少以“-”号填列）"),
    line("operating", "经营活动产生的现金流量净额", true),
    line("capitalExpenditure", "购建固定资产支付的现金"),
    line("investing", "投资活动产生的现金流量净额", true),
    line("borrowing", "借款的增加（偿还以“-”号填列）"),
    line("dividends", "分配股利支付的现金"),
    line("financing", "筹资活动产生的现金流量净额", true),
    line("netChange", "现金及现金等价物净增加额", true),
    line("openingCash", "期初现金及现金等价物余额"),
    line("closingCash", "期末现金及现金等价物余额", true),
  ],
};

export const STATEMENT_TEXT: Readonly<Record<Language, StatementText>> = { en: EN, zh: ZH };
