import { z } from "zod";
import { QuarterSchema } from "./quarter-schema.js";
import { CHART_OF_ACCOUNTS, type AccountCategory } from "./chart-of-accounts.js";
import { shownTenths } from "./format-figures.js";
import type { Ledger } from "./parse-ledger.js";
import { shiftQuarter } from "./quarter.js";
import { shownIncome } from "./shown-income.js";

/** A quarter-end balance sheet in shown tenths of a thousand. */
export const BalanceSheetSchema = z.object({
  cash: z.number().int(),
  receivables: z.number().int(),
  inventories: z.number().int(),
  prepayments: z.number().int(),
  fixedAssets: z.number().int(),
  totalAssets: z.number().int(),
  payables: z.number().int(),
  payrollPayable: z.number().int(),
  taxPayable: z.number().int(),
  bankLoan: z.number().int(),
  totalLiabilities: z.number().int(),
  paidInCapital: z.number().int(),
  retainedEarnings: z.number().int(),
  totalEquity: z.number().int(),
  totalLiabilitiesAndEquity: z.number().int(),
});
export type BalanceSheet = z.infer<typeof BalanceSheetSchema>;

/** A quarter's cash-flow statement (indirect method) in shown tenths; outflows are negative. */
export const CashFlowSchema = z.object({
  netIncome: z.number().int(),
  depreciation: z.number().int(),
  receivables: z.number().int(),
  inventories: z.number().int(),
  prepayments: z.number().int(),
  payables: z.number().int(),
  payrollPayable: z.number().int(),
  taxPayable: z.number().int(),
  operating: z.number().int(),
  capitalExpenditure: z.number().int(),
  investing: z.number().int(),
  borrowing: z.number().int(),
  dividends: z.number().int(),
  financing: z.number().int(),
  netChange: z.number().int(),
  openingCash: z.number().int(),
  closingCash: z.number().int(),
});
export type CashFlow = z.infer<typeof CashFlowSchema>;

/** The balance sheet at the end of the quarter and of the one before, and the quarter's cash flow. */
export const QuarterStatementsSchema = z.object({
  previousQuarterEnd: QuarterSchema,
  balanceSheet: BalanceSheetSchema,
  previousBalanceSheet: BalanceSheetSchema,
  cashFlow: CashFlowSchema,
});
export type QuarterStatements = z.infer<typeof QuarterStatementsSchema>;

const yuan = (amount: number) => Math.round(amount * 100);

/** The balance sheet the ledger opens with (the end of the quarter before its first), in cents. */
const OPENING = {
  cash: yuan(25_000_000),
  receivables: yuan(29_500_000),
  inventories: yuan(17_800_000),
  prepayments: yuan(1_800_000),
  fixedAssets: yuan(38_000_000),
  payables: yuan(6_400_000),
  payrollPayable: yuan(1_900_000),
  taxPayable: yuan(1_500_000),
  bankLoan: yuan(38_500_000),
  paidInCapital: yuan(50_000_000),
};

// Working-capital and asset assumptions of the demo company, as ratios of the quarter's books:
// about 65 days of sales outstanding, three months of cost of sales in stock, suppliers paid in
// about 50 days, payroll paid a month in arrears, each quarter's tax paid the next quarter,
// the term loan carrying 4.5% a year (so its balance follows the interest booked on it).
const RECEIVABLE_DAYS_OF_REVENUE = 0.72;
const INVENTORY_OF_COST = 0.9;
const PAYABLE_OF_MATERIALS = 0.55;
const PAYROLL_OF_LABOUR = 0.35;
const LOAN_QUARTERLY_RATE = 0.045 / 4;
const DIVIDEND_PAYOUT = 0.3;

function balance(leaves: Omit<BalanceSheet, "totalAssets" | "totalLiabilities" | "totalEquity" | "totalLiabilitiesAndEquity">): BalanceSheet {
  const totalAssets = leaves.cash + leaves.receivables + leaves.inventories + leaves.prepayments + leaves.fixedAssets;
  const totalLiabilities = leaves.payables + leaves.payrollPayable + leaves.taxPayable + leaves.bankLoan;
  const totalEquity = leaves.paidInCapital + leaves.retainedEarnings;
  return { ...leaves, totalAssets, totalLiabilities, totalEquity, totalLiabilitiesAndEquity: totalLiabilities + totalEquity };
}

function openingSheet(): BalanceSheet {
  const o = Object.fromEntries(Object.entries(OPENING).map(([k, v]) => [k, shownTenths(v)])) as Record<keyof typeof OPENING, number>;
  const assets = o.cash + o.receivables + o.inventories + o.prepayments + o.fixedAssets;
  const retainedEarnings = assets - o.payables - o.payrollPayable - o.taxPayable - o.bankLoan - o.paidInCapital;
  return balance({ ...o, retainedEarnings });
}

/**
 * The balance sheet and cash-flow statement of every ledger quarter, in the report's shown
 * unit. Each balance is rounded once; cash and retained earnings are carried forward from the
 * opening balance sheet with the shown profit and cash flows, so on the page net profit flows
 * into retained earnings, the cash-flow statement ends on the balance sheet's cash and assets
 * equal liabilities plus equity.
 */
export function buildStatements(ledger: Ledger): Map<string, QuarterStatements> {
  const result = new Map<string, QuarterStatements>();
  let before = openingSheet();
  const netIncomeByYear = new Map<number, number>();
  ledger.quarters.forEach((quarter, index) => {
    const entries = ledger.byQuarter.get(quarter) ?? [];
    const account = (code: string) => entries.filter((e) => e.account === code).reduce((a, e) => a + e.amountCents, 0);
    const codes = (category: AccountCategory) => CHART_OF_ACCOUNTS.filter((a) => a.category === category).map((a) => account(a.code));
    const income = shownIncome({
      revenue: codes("revenue"),
      costOfSales: codes("cost_of_sales"),
      operatingExpenses: codes("operating_expense"),
      netInterest: account("7100") - account("7200"),
      incomeTax: account("8100"),
    });
    const year = Number(quarter.slice(0, 4));
    netIncomeByYear.set(year, (netIncomeByYear.get(year) ?? 0) + income.netIncome);
    const revenueCents = codes("revenue").reduce((a, b) => a + b, 0);
    const costCents = codes("cost_of_sales").reduce((a, b) => a + b, 0);
    const depreciation = shownTenths(yuan(1_400_000 * (1 + 0.01 * index)));
    // Capacity is added in the second and fourth quarters.
    const capitalExpenditure = shownTenths(yuan(quarter.endsWith("Q2") || quarter.endsWith("Q4") ? 2_600_000 : 900_000));
    const dividends = quarter.endsWith("Q2") ? Math.max(0, Math.round((netIncomeByYear.get(year - 1) ?? 0) * DIVIDEND_PAYOUT)) : 0;
    const leaves = {
      receivables: shownTenths(revenueCents * RECEIVABLE_DAYS_OF_REVENUE),
      inventories: shownTenths(costCents * INVENTORY_OF_COST),
      prepayments: shownTenths(yuan(1_800_000 * (1 + 0.02 * index))),
      fixedAssets: before.fixedAssets + capitalExpenditure - depreciation,
      payables: shownTenths(account("5100") * PAYABLE_OF_MATERIALS),
      payrollPayable: shownTenths(account("5200") * PAYROLL_OF_LABOUR),
      taxPayable: shownTenths(account("8100")),
      bankLoan: shownTenths(account("7200") / LOAN_QUARTERLY_RATE),
      paidInCapital: before.paidInCapital,
    };
    const change = (key: keyof typeof leaves) => leaves[key] - before[key];
    const operating =
      income.netIncome + depreciation - change("receivables") - change("inventories") - change("prepayments") +
      change("payables") + change("payrollPayable") + change("taxPayable");
    const financing = change("bankLoan") - dividends;
    const netChange = operating - capitalExpenditure + financing;
    const sheet = balance({ ...leaves, cash: before.cash + netChange, retainedEarnings: before.retainedEarnings + income.netIncome - dividends });
    const cashFlow: CashFlow = {
      netIncome: income.netIncome,
      depreciation,
      receivables: -change("receivables"),
      inventories: -change("inventories"),
      prepayments: -change("prepayments"),
      payables: change("payables"),
      payrollPayable: change("payrollPayable"),
      taxPayable: change("taxPayable"),
      operating,
      capitalExpenditure: -capitalExpenditure,
      investing: -capitalExpenditure,
      borrowing: change("bankLoan"),
      dividends: -dividends,
      financing,
      netChange,
      openingCash: before.cash,
      closingCash: sheet.cash,
    };
    result.set(quarter, { previousQuarterEnd: shiftQuarter(quarter, -1), balanceSheet: sheet, previousBalanceSheet: before, cashFlow });
    before = sheet;
  });
  return result;
}
