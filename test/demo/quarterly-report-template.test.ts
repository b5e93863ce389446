import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/core/index.js";
import { createQuarterlyReportTemplate, financeTools, quarterlyReportTemplate } from "../../src/demo/finance/index.js";
import { detectLanguage } from "../../src/planner/task-planner.js";
import { createToolRegistry, ToolExecutor } from "../../src/tools/index.js";

/** A template whose today is `date` (local calendar date), so "last quarter" is fixed. */
const on = (year: number, month: number, day: number) => createQuarterlyReportTemplate({ now: () => new Date(year, month - 1, day, 12) });
// On 2025-08-15 the last ended quarter, 2025Q2, is the ledger's last.
const august2025 = on(2025, 8, 15);
const match = (description: string) => august2025.match(description, detectLanguage(description));

describe("quarterly-report template: match", () => {
  it.each([
    ["生成季度财务报告", "2025Q2"],
    ["生成2024年第三季度财务报告", "2024Q3"],
    ["帮我写一份2025年Q1的季度财报", "2025Q1"],
    ["Generate the Q3 2024 quarterly financial report", "2024Q3"],
    ["Generate the 2024Q3 financial report", "2024Q3"],
    ["2024 Q3 quarterly report", "2024Q3"],
    ["Q3 2024 results", "2024Q3"],
    ["生成第3季度财务报告", "2024Q3"],
    ["三季度财报", "2024Q3"],
    ["生成2024年三季度财务报告", "2024Q3"],
    ["2023年第四季度业绩报告", "2023Q4"],
    ["Write the financial report for the third quarter of 2024", "2024Q3"],
    ["Q1 financial report", "2025Q1"],
    ["quarterly report", "2025Q2"],
    ["Quarterly financial report for 2024", "2024Q4"],
    ["生成2023年季度财务报告", "2023Q4"],
    ["the Q3 report for 2023", "2023Q3"],
    ["生成最近4个季度的财务报告", "2025Q2"],
    ["第三季度财务报告（2023年）", "2023Q3"],
  ])("%s → %s", (description, quarter) => {
    expect(match(description)).toEqual({ params: { quarter } });
  });

  it.each([
    ["生成2019Q7季度财务报告", /"2019Q7" is not a quarter; expected Q1–Q4 between 2023Q1 and 2025Q2/],
    ["Q5 2024 quarterly report", /"Q5 2024" is not a quarter/],
    ["生成第五季度财务报告", /"第五季度" is not a quarter/],
    ["the fifth quarter of 2024 financial report", /is not a quarter/],
    ["生成2019年第三季度财务报告", /quarter 2019Q3 is not in the ledger; expected a quarter between 2023Q1 and 2025Q2/],
    ["2025Q3 quarterly report", /quarter 2025Q3 is not in the ledger/],
    ["the Q4 report for 2025", /quarter 2025Q4 is not in the ledger/],
    ["quarterly report for 2019", /no complete quarter in 2019/],
  ])("%s → InvalidInputError", (description, message) => {
    expect(() => match(description)).toThrow(InvalidInputError);
    expect(() => match(description)).toThrow(message);
  });

  it.each(["bake me a cake", "生成年度财务报告", "summarise the Q3 meeting notes", "translate this financial report", "headquarters report", "写一首关于季度的诗"])(
    "does not match %s",
    (description) => {
      expect(match(description)).toBeUndefined();
    },
  );
});

describe("quarterly-report template: build", () => {
  it("builds collect → analyse → write with the quarter, in the plan's language", () => {
    const subtasks = quarterlyReportTemplate.build({ quarter: "2024Q3" }, "zh");
    expect(subtasks.map((s) => [s.id, s.agent, s.tool, s.dependsOn, s.input])).toEqual([
      ["collect", "data", "ledger.query", [], { quarter: "2024Q3" }],
      ["analyse", "analyst", "finance.metrics", ["collect"], { quarter: "2024Q3" }],
      ["write", "writer", "report.compose", ["analyse"], { quarter: "2024Q3", language: "zh" }],
    ]);
    expect(subtasks.every((s) => s.title.includes("2024年第三季度"))).toBe(true);
    expect(quarterlyReportTemplate.build({ quarter: "2024Q3" }, "en")[2]?.title).toBe("Write the Q3 2024 financial report");
  });

  it("refuses params without a valid quarter", () => {
    expect(() => quarterlyReportTemplate.build({ quarter: "someday" }, "en")).toThrow(/params.quarter/);
  });

  it("has subtasks whose suggested calls each succeed on their own (the seed check)", async () => {
    const executor = new ToolExecutor({ registry: createToolRegistry(financeTools) });
    for (const language of ["zh", "en"] as const) {
      const subtasks = quarterlyReportTemplate.build({ quarter: "2025Q2" }, language);
      const results = await Promise.all(subtasks.map((s) => executor.run(s)));
      expect(results.map((r) => r.status)).toEqual(["success", "success", "success"]);
    }
  });
});

describe("quarterly-report template: \"last quarter\" on today's date", () => {
  const phrasings = ["生成季度财务报告", "生成上季度财务报告", "Generate last quarter's financial report", "quarterly report"];

  it.each(phrasings)("%s on 2024-11-20 is 2024Q3, the last quarter ended, with nothing to explain", (description) => {
    expect(on(2024, 11, 20).match(description, detectLanguage(description))).toEqual({ params: { quarter: "2024Q3" } });
  });

  it.each(phrasings)("%s on 2025-04-01 is 2025Q1 though the ledger holds 2025Q2", (description) => {
    expect(on(2025, 4, 1).match(description, detectLanguage(description))).toEqual({ params: { quarter: "2025Q1" } });
  });

  it.each(phrasings)("%s on 2026-12-05 is the ledger's last closed quarter, 2025Q2, with the reason", (description) => {
    expect(on(2026, 12, 5).match(description, detectLanguage(description))).toEqual({ params: { quarter: "2025Q2", period: { today: "2026-12-05", lastEnded: "2026Q3" } } });
  });

  it("a named quarter does not depend on today", () => {
    expect(on(2026, 12, 5).match("生成2024年第三季度财务报告", "zh")).toEqual({ params: { quarter: "2024Q3" } });
  });

  it("before the ledger starts, says so and what to name instead", () => {
    const early = on(2022, 6, 1);
    expect(() => early.match("生成季度财务报告", "zh")).toThrow(InvalidInputError);
    expect(() => early.match("生成季度财务报告", "zh")).toThrow("on 2022-06-01 the last quarter is 2022Q1, before the ledger starts; name a quarter between 2023Q1 and 2025Q2");
  });

  it("hands the reason to the writer's report.compose call; a wrong one is refused", () => {
    const period = { today: "2026-12-05", lastEnded: "2026Q3" };
    expect(quarterlyReportTemplate.build({ quarter: "2025Q2", period }, "zh")[2]?.input).toEqual({ quarter: "2025Q2", language: "zh", period });
    expect(quarterlyReportTemplate.build({ quarter: "2025Q2" }, "zh")[2]?.input).toEqual({ quarter: "2025Q2", language: "zh" });
    expect(() => quarterlyReportTemplate.build({ quarter: "2025Q2", period: { today: "yesterday" } }, "en")).toThrow(/params.period: expected/);
  });
});
