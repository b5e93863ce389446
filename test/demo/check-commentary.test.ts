import { describe, expect, it } from "vitest";
import { computeMetrics, loadLedger, queryLedger } from "../../src/demo/finance/index.js";
import { plainCommentary, unsupportedFigures } from "../../src/demo/finance/check-commentary.js";
import { incomeStatementTable } from "../../src/demo/finance/report-figures.js";

const metrics = computeMetrics(queryLedger(loadLedger(), "2024Q3"));
const table = incomeStatementTable(metrics, "en");
const revenue = table.rows[0]?.values[0]?.value ?? 0;
const revenueQoq = table.rows[0]?.values[2]?.value ?? 0;
const grossMargin = table.rows.find((r) => r.values[0]?.unit === "percent")?.values[0]?.value ?? 0;

describe("commentary figures", () => {
  it("accepts figures of the statements as printed, restated in millions, 万元 or 亿元, and the report's years and quarters", () => {
    const paragraphs = [
      `In Q3 2024 revenue reached CNY ${(revenue / 1000).toFixed(1)} million (${revenue.toLocaleString("en-US", { minimumFractionDigits: 1 })} thousand), ${Math.abs(revenueQoq).toFixed(1)}% against the previous quarter.`,
      `营业收入${(revenue / 10).toFixed(0)}万元（约${(revenue / 100000).toFixed(2)}亿元），毛利率${grossMargin.toFixed(1)}%。`,
    ];
    expect(unsupportedFigures(paragraphs, metrics, "en")).toEqual([]);
  });

  it("names every number no statement holds, with its paragraph", () => {
    const found = unsupportedFigures(["Revenue grew 87.3% to a record.", "Fine.", `Margin ${(grossMargin + 5).toFixed(1)}% and 2031 outlook.`], metrics, "en");
    expect(found).toEqual([
      { written: "87.3", paragraph: 1 },
      { written: (grossMargin + 5).toFixed(1), paragraph: 3 },
      { written: "2031", paragraph: 3 },
    ]);
  });

  it("flattens markup that could link, embed or leave the paragraph", () => {
    expect(plainCommentary(["See ![x](http://evil/x.png) <script>a</script>\n## Heading | cell", "  ", "**Strong** words"])).toEqual([
      "See ! x (http://evil/x.png) script a /script Heading cell",
      "**Strong** words",
    ]);
  });
});
