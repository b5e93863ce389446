import { z } from "zod";
import { CsAgentsError, formatZodIssues } from "../../core/index.js";
import { ACCOUNT_CODES } from "./chart-of-accounts.js";
import { QUARTER_PATTERN, quarterOfDate } from "./quarter.js";

export const LEDGER_CSV_HEADER = "id,date,quarter,account,amount_cents,description";

/** One booked transaction. `amountCents` is in the account's natural direction (see CHART_OF_ACCOUNTS). */
export interface LedgerEntry {
  readonly id: string;
  readonly date: string;
  readonly quarter: string;
  readonly account: string;
  readonly amountCents: number;
  readonly description: string;
}

export interface Ledger {
  readonly entries: readonly LedgerEntry[];
  /** Every quarter with entries, oldest first. */
  readonly quarters: readonly string[];
  /** The last quarter whose books are closed (it has its income-tax provision). */
  readonly latestComplete: string;
  readonly byQuarter: ReadonlyMap<string, readonly LedgerEntry[]>;
}

const RowSchema = z
  .object({
    id: z.string().regex(/^GL-\d{6}$/, "expected an id like GL-000123"),
    date: z.iso.date(),
    quarter: z.string().regex(QUARTER_PATTERN, "expected a quarter like 2024Q3"),
    account: z.string().refine((code) => ACCOUNT_CODES.includes(code), `expected one of ${ACCOUNT_CODES.join(", ")}`),
    amountCents: z.string().regex(/^-?\d+$/, "expected whole cents").transform(Number).pipe(z.number().int().safe()),
    description: z.string().min(1),
  })
  .refine((row) => quarterOfDate(row.date) === row.quarter, { message: "the quarter does not match the date", path: ["quarter"] });

const COLUMNS = LEDGER_CSV_HEADER.split(",").length;

function invalid(message: string): CsAgentsError {
  return new CsAgentsError("LEDGER_INVALID", `the ledger file is invalid: ${message}`);
}

function parseLine(line: string, lineNumber: number): LedgerEntry {
  const cells = line.split(",");
  if (cells.length !== COLUMNS) throw invalid(`line ${lineNumber} has ${cells.length} columns; expected ${COLUMNS}`);
  const [id, date, quarter, account, amountCents, description] = cells;
  const parsed = RowSchema.safeParse({ id, date, quarter, account, amountCents, description });
  if (!parsed.success) throw invalid(`line ${lineNumber}: ${formatZodIssues(parsed.error.issues)}`);
  return parsed.data;
}

function groupByQuarter(entries: readonly LedgerEntry[]): Map<string, LedgerEntry[]> {
  const byQuarter = new Map<string, LedgerEntry[]>();
  for (const entry of entries) {
    const list = byQuarter.get(entry.quarter);
    if (list) list.push(entry);
    else byQuarter.set(entry.quarter, [entry]);
  }
  return byQuarter;
}

/**
 * Parses and validates the ledger CSV (no quoting: descriptions never hold commas).
 * @throws CsAgentsError (LEDGER_INVALID) naming the first bad line and field.
 */
export function parseLedger(csv: string): Ledger {
  const lines = csv.split("\n").filter((line) => line !== "");
  if (lines[0] !== LEDGER_CSV_HEADER) throw invalid(`the header must be "${LEDGER_CSV_HEADER}"`);
  const entries = lines.slice(1).map((line, i) => parseLine(line, i + 2));
  const ids = new Set(entries.map((e) => e.id));
  if (ids.size !== entries.length) throw invalid("transaction ids are not unique");
  const byQuarter = groupByQuarter(entries);
  const quarters = [...byQuarter.keys()].sort();
  const closed = quarters.filter((q) => byQuarter.get(q)?.some((e) => e.account === "8100"));
  const latestComplete = closed.at(-1);
  if (latestComplete === undefined) throw invalid("no quarter has been closed (no income-tax provision)");
  return { entries, quarters, latestComplete, byQuarter };
}
