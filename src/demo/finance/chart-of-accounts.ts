/** Where an account lands in the income statement. */
export const ACCOUNT_CATEGORIES = [
  "revenue",
  "cost_of_sales",
  "operating_expense",
  "interest_income",
  "interest_expense",
  "income_tax",
] as const;
export type AccountCategory = (typeof ACCOUNT_CATEGORIES)[number];

export interface Account {
  readonly code: string;
  readonly category: AccountCategory;
  readonly name: { readonly en: string; readonly zh: string };
}

/**
 * The income-statement accounts of the demo ledger. Amounts are booked in each account's
 * natural direction: income accounts hold income as positive numbers, expense accounts hold
 * expenses as positive numbers; a negative amount is a reversal (a credit note, a refund).
 * The first digit of a code is its group: 4 revenue, 5 cost of sales, 6 operating expenses,
 * 7 other income and expense, 8 tax.
 */
export const CHART_OF_ACCOUNTS: readonly Account[] = [
  { code: "4100", category: "revenue", name: { en: "Product sales", zh: "产品销售收入" } },
  { code: "4200", category: "revenue", name: { en: "Services", zh: "服务收入" } },
  { code: "4300", category: "revenue", name: { en: "Licensing", zh: "授权许可收入" } },
  { code: "5100", category: "cost_of_sales", name: { en: "Materials", zh: "原材料成本" } },
  { code: "5200", category: "cost_of_sales", name: { en: "Direct labour", zh: "直接人工" } },
  { code: "5300", category: "cost_of_sales", name: { en: "Freight & warehousing", zh: "运输及仓储费" } },
  { code: "6100", category: "operating_expense", name: { en: "Research & development", zh: "研发费用" } },
  { code: "6200", category: "operating_expense", name: { en: "Sales & marketing", zh: "销售及市场费用" } },
  { code: "6300", category: "operating_expense", name: { en: "General & administrative", zh: "管理费用" } },
  { code: "7100", category: "interest_income", name: { en: "Interest income", zh: "利息收入" } },
  { code: "7200", category: "interest_expense", name: { en: "Interest expense", zh: "利息支出" } },
  { code: "8100", category: "income_tax", name: { en: "Income tax", zh: "所得税费用" } },
];

export const ACCOUNT_CODES: readonly string[] = CHART_OF_ACCOUNTS.map((a) => a.code);
