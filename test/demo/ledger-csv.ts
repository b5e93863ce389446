import { readFileSync } from "node:fs";

export const LEDGER_PATH = new URL("../../data/ledger/ledger.csv", import.meta.url);

/** The shipped ledger read with plain string splitting: nothing from src/ is involved. */
export function readLedgerRows(): { id: string; date: string; quarter: string; account: string; cents: number }[] {
  const [, ...lines] = readFileSync(LEDGER_PATH, "utf8").trim().split("\n");
  return lines.map((line) => {
    const [id = "", date = "", quarter = "", account = "", cents = ""] = line.split(",");
    return { id, date, quarter, account, cents: Number(cents) };
  });
}

/** A quarter's income statement summed by account-code prefix, straight from the CSV. */
export function independentStatement(quarter: string) {
  const rows = readLedgerRows().filter((r) => r.quarter === quarter);
  if (rows.length === 0) return undefined;
  const sum = (prefix: string) => rows.filter((r) => r.account.startsWith(prefix)).reduce((a, r) => a + r.cents, 0);
  const revenue = sum("4");
  const costOfSales = sum("5");
  const operatingExpenses = sum("6");
  const operatingIncome = revenue - costOfSales - operatingExpenses;
  const netIncome = operatingIncome + sum("71") - sum("72") - sum("8");
  return { revenue, costOfSales, grossProfit: revenue - costOfSales, operatingExpenses, operatingIncome, netIncome, grossMarginPct: ((revenue - costOfSales) / revenue) * 100 };
}
