import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateLedger, LEDGER_SEED, loadLedger, parseLedger } from "../../src/demo/finance/index.js";
import { LEDGER_PATH, readLedgerRows } from "./ledger-csv.js";

describe("the shipped ledger", () => {
  it("holds at least 5,000 transactions over at least 8 quarters, 2023Q1 to 2025Q2", () => {
    const rows = readLedgerRows();
    expect(rows.length).toBeGreaterThanOrEqual(5_000);
    const quarters = [...new Set(rows.map((r) => r.quarter))].sort();
    expect(quarters.length).toBeGreaterThanOrEqual(8);
    expect([quarters[0], quarters.at(-1)]).toEqual(["2023Q1", "2025Q2"]);
    expect(rows.every((r) => Number.isSafeInteger(r.cents))).toBe(true);
  });

  it("is exactly what the seeded generator produces, byte for byte", () => {
    const generated = generateLedger(LEDGER_SEED);
    if (process.env.UPDATE_LEDGER === "1") writeFileSync(LEDGER_PATH, generated);
    const same = readFileSync(LEDGER_PATH, "utf8") === generated;
    // A plain boolean: a diff of two 600 kB files helps nobody.
    expect(same, "data/ledger/ledger.csv is not generateLedger(LEDGER_SEED); rewrite it with UPDATE_LEDGER=1 npx vitest run test/demo/ledger.test.ts").toBe(true);
  });

  it("comes out differently for another seed", () => {
    expect(generateLedger(LEDGER_SEED + 1)).not.toBe(generateLedger(LEDGER_SEED));
  });

  it("loads once, validated, and reports its quarters and the latest closed one", () => {
    const ledger = loadLedger();
    expect(loadLedger()).toBe(ledger);
    expect(ledger.entries.length).toBe(readLedgerRows().length);
    expect(ledger.quarters).toHaveLength(10);
    expect(ledger.latestComplete).toBe("2025Q2");
  });
});

describe("parseLedger", () => {
  const header = "id,date,quarter,account,amount_cents,description";
  const good = "GL-000001,2024-07-03,2024Q3,4100,12345,Invoice SI-1";
  const tax = "GL-000002,2024-09-30,2024Q3,8100,100,Tax";

  it("parses a valid file", () => {
    const ledger = parseLedger(`${header}\n${good}\n${tax}\n`);
    expect(ledger.entries[0]).toEqual({ id: "GL-000001", date: "2024-07-03", quarter: "2024Q3", account: "4100", amountCents: 12345, description: "Invoice SI-1" });
    expect(ledger.latestComplete).toBe("2024Q3");
  });

  it.each([
    ["a wrong header", "id,date\n", /header/],
    ["an unknown account", `${header}\n${good.replace("4100", "9999")}\n${tax}`, /line 2: account/],
    ["fractional cents", `${header}\n${good.replace("12345", "123.45")}\n${tax}`, /line 2: amountCents: expected whole cents/],
    ["a quarter that does not match the date", `${header}\n${good.replace("2024Q3", "2024Q2")}\n${tax}`, /line 2: quarter: the quarter does not match/],
    ["an extra column", `${header}\n${good},x\n${tax}`, /line 2 has 7 columns/],
    ["duplicate ids", `${header}\n${good}\n${tax.replace("GL-000002", "GL-000001")}`, /not unique/],
    ["no closed quarter", `${header}\n${good}`, /no quarter has been closed/],
  ])("rejects %s with LEDGER_INVALID naming the problem", (_name, csv, message) => {
    expect(() => parseLedger(csv)).toThrow(message);
    expect(() => parseLedger(csv)).toThrow(expect.objectContaining({ code: "LEDGER_INVALID" }));
  });
});
