import { CHART_OF_ACCOUNTS } from "./chart-of-accounts.js";
import { INCOME_TAX_RATE, quarterTargets } from "./quarter-targets.js";
import { mulberry32 } from "./mulberry32.js";
import { LEDGER_CSV_HEADER } from "./parse-ledger.js";
import { isoDate, quarterMonths, quarterRange } from "./quarter.js";

export const LEDGER_SEED = 20_250_630;
export const LEDGER_FIRST_QUARTER = "2023Q1";
export const LEDGER_LAST_QUARTER = "2025Q2";

type Random = () => number;

interface Draft {
  readonly date: string;
  readonly quarter: string;
  readonly account: string;
  readonly amountCents: number;
  readonly description: string;
}

/** One way part of an account's quarterly total is booked: how many entries, when, described how. */
interface BookingPart {
  /** Share of the account's total; a negative share books reversals (credit notes). */
  readonly share: number;
  readonly count: (cents: number, random: Random) => number;
  readonly day: "any" | "payroll" | "month-end";
  readonly prefix: string;
  readonly describe: (ref: string, index: number, random: Random) => string;
}

const pick = (random: Random, prefix: string, size: number) => `${prefix}-${1001 + Math.floor(random() * size)}`;
/** About one entry per `averageCents`. */
const per = (averageCents: number) => (cents: number) => Math.max(1, Math.round(Math.abs(cents) / averageCents));
const monthly = () => 3;
const TEAMS = ["assembly", "calibration", "field service", "quality assurance"] as const;

const RULES: Readonly<Record<string, readonly BookingPart[]>> = {
  "4100": [
    { share: 1.008, count: per(25_000_000), day: "any", prefix: "SI", describe: (ref, _i, r) => `Invoice ${ref} instrument shipment to customer ${pick(r, "C", 240)}` },
    { share: -0.008, count: (_c, r) => 3 + Math.floor(r() * 4), day: "any", prefix: "CN", describe: (ref, _i, r) => `Credit note ${ref} returned units from customer ${pick(r, "C", 240)}` },
  ],
  "4200": [{ share: 1, count: per(11_000_000), day: "any", prefix: "SV", describe: (ref, _i, r) => `Invoice ${ref} calibration and field service for customer ${pick(r, "C", 240)}` }],
  "4300": [{ share: 1, count: (_c, r) => 3 + Math.floor(r() * 5), day: "any", prefix: "LC", describe: (ref, _i, r) => `Licence ${ref} firmware licence fee from partner ${pick(r, "P", 12)}` }],
  "5100": [{ share: 1, count: per(12_000_000), day: "any", prefix: "PO", describe: (ref, _i, r) => `Purchase ${ref} components from supplier ${pick(r, "S", 60)}` }],
  "5200": [{ share: 1, count: () => 12, day: "payroll", prefix: "PR", describe: (ref, i) => `Payroll ${ref} ${TEAMS[Math.floor(i / 3)] ?? "production"} team` }],
  "5300": [
    { share: 0.8, count: per(5_000_000), day: "any", prefix: "FR", describe: (ref, _i, r) => `Freight ${ref} outbound shipment via carrier ${pick(r, "L", 8)}` },
    { share: 0.2, count: monthly, day: "month-end", prefix: "WH", describe: (ref) => `Warehousing ${ref} finished-goods storage and handling` },
  ],
  "6100": [
    { share: 0.65, count: monthly, day: "payroll", prefix: "PR", describe: (ref) => `Payroll ${ref} research engineers` },
    { share: 0.35, count: per(6_000_000), day: "any", prefix: "RD", describe: (ref, _i, r) => `Purchase ${ref} prototype parts and lab equipment from supplier ${pick(r, "S", 60)}` },
  ],
  "6200": [
    { share: 0.45, count: monthly, day: "payroll", prefix: "PR", describe: (ref) => `Payroll ${ref} sales team and commissions` },
    { share: 0.55, count: per(5_000_000), day: "any", prefix: "MK", describe: (ref, _i, r) => `Marketing ${ref} campaign and trade show costs with agency ${pick(r, "A", 15)}` },
  ],
  "6300": [
    { share: 0.5, count: monthly, day: "payroll", prefix: "PR", describe: (ref) => `Payroll ${ref} finance HR and management` },
    { share: 0.2, count: monthly, day: "month-end", prefix: "RT", describe: (ref) => `Rent ${ref} headquarters and workshop lease` },
    { share: 0.3, count: per(4_000_000), day: "any", prefix: "GA", describe: (ref, _i, r) => `Expense ${ref} audit legal insurance and office costs from vendor ${pick(r, "V", 40)}` },
  ],
  "7100": [{ share: 1, count: monthly, day: "month-end", prefix: "BK", describe: (ref) => `Bank interest ${ref} on deposits` }],
  "7200": [{ share: 1, count: monthly, day: "month-end", prefix: "LN", describe: (ref) => `Loan interest ${ref} on equipment term loan` }],
};

/** Splits `total` cents into `count` uneven parts that add up to it exactly. */
function split(total: number, count: number, random: Random): number[] {
  const weights = Array.from({ length: count }, () => 0.25 + random() * random() * 3);
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.slice(0, -1).map((w) => Math.round((total * w) / sum));
  return [...parts, total - parts.reduce((a, b) => a + b, 0)];
}

function dayOf(quarter: string, rule: BookingPart["day"], index: number, random: Random): string {
  const months = quarterMonths(quarter);
  const month = months[rule === "any" ? Math.floor(random() * 3) : index % 3] ?? months[0];
  if (!month) throw new RangeError(`no months for ${quarter}`);
  if (rule === "payroll") return isoDate(month.year, month.month, 25);
  if (rule === "month-end") return isoDate(month.year, month.month, month.days);
  return isoDate(month.year, month.month, 1 + Math.floor(random() * month.days));
}

function bookAccount(quarter: string, account: string, total: number, random: Random): Draft[] {
  const parts = RULES[account] ?? [];
  const drafts: Draft[] = [];
  let left = total;
  parts.forEach((part, p) => {
    const partTotal = p === parts.length - 1 ? left : Math.round(total * part.share);
    left -= partTotal;
    const amounts = split(partTotal, part.count(partTotal, random), random);
    amounts.forEach((amountCents, i) => {
      const ref = `${part.prefix}-${quarter}-${String(i + 1).padStart(4, "0")}`;
      drafts.push({ date: dayOf(quarter, part.day, i, random), quarter, account, amountCents, description: part.describe(ref, i, random) });
    });
  });
  return drafts;
}

const CATEGORY_SIGN: Readonly<Record<string, number>> = { revenue: 1, interest_income: 1, cost_of_sales: -1, operating_expense: -1, interest_expense: -1 };
const SIGN_BY_ACCOUNT = new Map(CHART_OF_ACCOUNTS.map((a) => [a.code, CATEGORY_SIGN[a.category] ?? 0]));

/** The quarter-end tax provision; it also marks the quarter as closed. */
function taxProvision(quarter: string, drafts: readonly Draft[]): Draft {
  const pretax = drafts.reduce((sum, d) => sum + d.amountCents * (SIGN_BY_ACCOUNT.get(d.account) ?? 0), 0);
  const last = quarterMonths(quarter)[2];
  if (!last) throw new RangeError(`no months for ${quarter}`);
  return {
    date: isoDate(last.year, last.month, last.days),
    quarter,
    account: "8100",
    amountCents: Math.max(0, Math.round(pretax * INCOME_TAX_RATE)),
    description: `Income tax provision TX-${quarter} at ${INCOME_TAX_RATE * 100} percent of profit before tax`,
  };
}

function bookQuarter(quarter: string, index: number, random: Random): Draft[] {
  const targets = quarterTargets(quarter, index, random);
  const drafts = Object.entries(targets).flatMap(([account, total]) => bookAccount(quarter, account, total, random));
  return [...drafts, taxProvision(quarter, drafts)];
}

/**
 * The demo general ledger as CSV text (`id,date,quarter,account,amount_cents,description`),
 * a pure function of the seed: the shipped `data/ledger/ledger.csv` is exactly
 * `generateLedger(LEDGER_SEED)`, and a test keeps it that way.
 */
export function generateLedger(seed: number = LEDGER_SEED): string {
  const random = mulberry32(seed);
  const quarters = quarterRange(LEDGER_FIRST_QUARTER, LEDGER_LAST_QUARTER);
  const drafts = quarters.flatMap((quarter, index) => bookQuarter(quarter, index, random));
  // Stable sort: entries on one day keep the order they were booked in.
  const sorted = [...drafts].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const lines = sorted.map((d, i) => [`GL-${String(i + 1).padStart(6, "0")}`, d.date, d.quarter, d.account, d.amountCents, d.description].join(","));
  return `${[LEDGER_CSV_HEADER, ...lines].join("\n")}\n`;
}
