import { z } from "zod";
import { ACCOUNT_CATEGORIES } from "./chart-of-accounts.js";
import { QuarterSchema } from "./quarter-schema.js";
import { QuarterStatementsSchema } from "./statements.js";

export { QuarterSchema };

export const BilingualNameSchema = z.object({ en: z.string(), zh: z.string() });

export const AccountTotalSchema = z.object({
  code: z.string(),
  category: z.enum(ACCOUNT_CATEGORIES),
  name: BilingualNameSchema,
  totalCents: z.number().int(),
  transactionCount: z.number().int().nonnegative(),
});
export type AccountTotal = z.infer<typeof AccountTotalSchema>;

/** Per-account totals of one quarter; every account of the chart is listed, zero when unused. */
export const PeriodTotalsSchema = z.object({
  quarter: QuarterSchema,
  transactionCount: z.number().int().nonnegative(),
  accounts: z.array(AccountTotalSchema),
});
export type PeriodTotals = z.infer<typeof PeriodTotalsSchema>;

/** What `ledger.query` returns and `finance.metrics` consumes. */
export const LedgerExtractSchema = z.object({
  company: BilingualNameSchema,
  currency: z.string(),
  quarter: QuarterSchema,
  current: PeriodTotalsSchema,
  /** The quarter before, or null when it is before the ledger starts. */
  previous: PeriodTotalsSchema.nullable(),
  /** The same quarter a year earlier, or null when it is before the ledger starts. */
  yearAgo: PeriodTotalsSchema.nullable(),
  /** Up to five quarters ending with `quarter`, oldest first: the history the charts show. */
  trend: z.array(PeriodTotalsSchema).min(1),
  /** The balance sheet and cash flow; absent in extracts recorded before they existed. */
  statements: QuarterStatementsSchema.optional(),
});
export type LedgerExtract = z.infer<typeof LedgerExtractSchema>;
