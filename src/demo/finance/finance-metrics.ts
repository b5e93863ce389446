import { z } from "zod";
import { BilingualNameSchema, QuarterSchema } from "./ledger-extract.js";
import { QuarterStatementsSchema } from "./statements.js";

/**
 * An amount (cents) with its comparisons. Changes are percentages of the comparison amount's
 * absolute value, so "up" always means "more" even when the base is a loss; null when there is
 * no comparison quarter or it was zero.
 */
export const AmountMetricSchema = z.object({
  cents: z.number().int(),
  previousCents: z.number().int().nullable(),
  yearAgoCents: z.number().int().nullable(),
  qoqPct: z.number().nullable(),
  yoyPct: z.number().nullable(),
});
export type AmountMetric = z.infer<typeof AmountMetricSchema>;

/** A margin (percent of revenue) with its changes in percentage points. */
export const RatioMetricSchema = z.object({
  pct: z.number(),
  previousPct: z.number().nullable(),
  yearAgoPct: z.number().nullable(),
  qoqPp: z.number().nullable(),
  yoyPp: z.number().nullable(),
});
export type RatioMetric = z.infer<typeof RatioMetricSchema>;

/** One account's line in a breakdown; `sharePct` is its share of the breakdown's total. */
export const LineItemSchema = z.object({
  code: z.string(),
  name: BilingualNameSchema,
  amount: AmountMetricSchema,
  sharePct: z.number(),
});
export type LineItem = z.infer<typeof LineItemSchema>;

/** One quarter of history, for charts. */
export const TrendPointSchema = z.object({
  quarter: QuarterSchema,
  revenueCents: z.number().int(),
  costOfSalesCents: z.number().int(),
  operatingIncomeCents: z.number().int(),
  netIncomeCents: z.number().int(),
  grossMarginPct: z.number(),
  operatingMarginPct: z.number(),
  revenueByLine: z.array(z.object({ code: z.string(), name: BilingualNameSchema, cents: z.number().int() })),
});
export type TrendPoint = z.infer<typeof TrendPointSchema>;

/** What `finance.metrics` returns: one quarter's income statement with its comparisons. */
export const FinanceMetricsSchema = z.object({
  company: BilingualNameSchema,
  currency: z.string(),
  quarter: QuarterSchema,
  previousQuarter: QuarterSchema.nullable(),
  yearAgoQuarter: QuarterSchema.nullable(),
  revenue: AmountMetricSchema,
  costOfSales: AmountMetricSchema,
  grossProfit: AmountMetricSchema,
  grossMargin: RatioMetricSchema,
  operatingExpenses: AmountMetricSchema,
  operatingIncome: AmountMetricSchema,
  operatingMargin: RatioMetricSchema,
  /** Interest income less interest expense. */
  netInterest: AmountMetricSchema,
  pretaxIncome: AmountMetricSchema,
  incomeTax: AmountMetricSchema,
  /** After interest and tax. */
  netIncome: AmountMetricSchema,
  netMargin: RatioMetricSchema,
  revenueByLine: z.array(LineItemSchema),
  costOfSalesByItem: z.array(LineItemSchema),
  operatingExpensesByItem: z.array(LineItemSchema),
  /** Oldest first, ending with `quarter`. */
  trend: z.array(TrendPointSchema),
  /** The balance sheet and cash flow, in shown tenths of a thousand. */
  statements: QuarterStatementsSchema.optional(),
});
export type FinanceMetrics = z.infer<typeof FinanceMetricsSchema>;
