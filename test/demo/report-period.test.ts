import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/index.js";

/** Runs "generate the quarterly report" through the engine with today fixed; the run's report.md. */
async function reportOn(date: Date, description: string): Promise<{ quarter: unknown; markdown: string; html: string }> {
  const runtime = createRuntime({ now: () => date });
  try {
    const outcome = await runtime.engine.execute({ runId: `period-${date.getTime()}`, task: { description, tenant: "default" } });
    if (outcome.status !== "succeeded") throw new Error(`run ${outcome.status}: ${JSON.stringify(outcome)}`);
    const file = (name: string) => outcome.result.artifacts.find((a) => a.name === name)?.content ?? "";
    return { quarter: (outcome.result.output as { quarter?: unknown }).quarter, markdown: file("report.md"), html: file("report.html") };
  } finally {
    await runtime.close();
  }
}

describe("the report says which quarter it covers when the ledger ends before last quarter", () => {
  it("in Chinese: today, the quarter wanted, the quarter used and why", async () => {
    const { quarter, markdown, html } = await reportOn(new Date(2026, 11, 5, 9), "生成季度财务报告");
    expect(quarter).toBe("2025Q2");
    expect(markdown).toMatch(/^# 银松仪器有限公司2025年第二季度财务报告/);
    expect(markdown).toContain("**报告期说明：**任务未指定季度。截至2026年12月5日，最近一个已结束的季度是2026年第三季度，但总账只记录到2025年第二季度，因此本报告采用总账中最近一个已结账的季度，即2025年第二季度。");
    expect(html).toContain("<strong>报告期说明：</strong>");
  });

  it("in English", async () => {
    const { quarter, markdown } = await reportOn(new Date(2026, 11, 5, 9), "Generate last quarter's financial report");
    expect(quarter).toBe("2025Q2");
    expect(markdown).toContain("On 2026-12-05 the most recent ended quarter is Q3 2026, but the general ledger's books end with Q2 2025, so this report covers Q2 2025");
  });

  it("says nothing of the kind when last quarter is in the ledger", async () => {
    const { quarter, markdown } = await reportOn(new Date(2024, 10, 20, 9), "生成季度财务报告");
    expect(quarter).toBe("2024Q3");
    expect(markdown).not.toContain("报告期说明");
  });
});
