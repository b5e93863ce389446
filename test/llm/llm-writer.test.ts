import { afterEach, describe, expect, it } from "vitest";
import { computeMetrics, loadLedger, queryLedger } from "../../src/demo/finance/index.js";
import { incomeStatementTable } from "../../src/demo/finance/report-figures.js";
import { createRuntime } from "../../src/runtime/index.js";
import { startFakeOpenAI, text, toolCall, transcript, type ChatRequest, type FakeOpenAI, type Reply } from "./fake-openai-server.js";
import { settingsFor } from "./support.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const QUARTER = "2024Q3";
const TASK = "生成2024年第三季度财务报告";

/** Revenue of the quarter as the income statement prints it (CNY thousands, e.g. "12,345.6"). */
function printedRevenue(): string {
  const table = incomeStatementTable(computeMetrics(queryLedger(loadLedger(), QUARTER)), "zh");
  const cell = table.rows[0]?.cells[0];
  if (cell === undefined) throw new Error("no revenue cell");
  return cell;
}

const isWriter = (request: ChatRequest) => (request.messages[0]?.content ?? "").toString().includes('"writer" agent');
const toolTurns = (request: ChatRequest) => request.messages.filter((m) => m.role === "tool").length;

/** The planner gets no usable plan (the template plans); data and analyst stay on their rules. */
async function runWithWriter(writer: (request: ChatRequest) => Reply) {
  fake = await startFakeOpenAI((request) => (request.response_format ? text("no plan today") : isWriter(request) ? writer(request) : text("?")));
  const runtime = createRuntime({ llm: settingsFor(fake.baseUrl, { agentModels: { data: "rules", analyst: "rules" } }) });
  const outcome = await runtime.engine.execute({ runId: "w1", task: { description: TASK } });
  await runtime.close();
  return outcome;
}

describe("an LLM writer", () => {
  it("writes the report through the tools: its commentary in report.md and report.html, the workbook and the charts", async () => {
    const revenue = printedRevenue();
    const commentary = [`本季度营业收入为${revenue}千元，主要来自软件订阅业务的增长。`, "毛利率保持稳定，费用控制得当。"];
    const outcome = await runWithWriter((request) =>
      toolTurns(request) === 0 ? toolCall("report_compose", { quarter: QUARTER, language: "zh", commentary }) : text("报告已完成。"),
    );
    expect(outcome.status).toBe("succeeded");
    if (outcome.status !== "succeeded") return;
    const names = outcome.result.artifacts.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(["report.md", "report.html", "report.xlsx"]));
    expect(names.filter((n) => n.endsWith(".svg")).length).toBeGreaterThan(0);
    const markdown = outcome.result.artifacts.find((a) => a.name === "report.md")?.content ?? "";
    const html = outcome.result.artifacts.find((a) => a.name === "report.html")?.content ?? "";
    expect(markdown).toContain(commentary[0]);
    expect(html).toContain(commentary[1]);
    // Every chart report.md links is one of the files.
    for (const [, file] of markdown.matchAll(/\]\(([^)]+\.svg)\)/g)) expect(names).toContain(file);
    const xlsx = outcome.result.artifacts.find((a) => a.name === "report.xlsx");
    expect(Buffer.from(xlsx?.content ?? "", "base64").subarray(0, 2).toString()).toBe("PK");
    expect(outcome.result.output).toMatchObject({ quarter: QUARTER, language: "zh", review: { ok: true }, note: "报告已完成。" });
  });

  it("refuses commentary stating a figure the statements do not hold; the model sees why and writes it again", async () => {
    const seen: string[] = [];
    const outcome = await runWithWriter((request) => {
      const turns = toolTurns(request);
      if (turns > 0) seen.push(transcript(request));
      if (turns === 0) return toolCall("report_compose", { quarter: QUARTER, language: "zh", commentary: ["本季度营业收入同比增长87.3%，创历史新高。"] });
      if (turns === 1) return toolCall("report_compose", { quarter: QUARTER, language: "zh", commentary: ["本季度营业收入稳步增长。"] });
      return text("完成");
    });
    expect(outcome.status).toBe("succeeded");
    expect(seen[0]).toContain("COMMENTARY_FIGURE_UNSUPPORTED");
    expect(seen[0]).toContain("87.3");
    if (outcome.status !== "succeeded") return;
    const markdown = outcome.result.artifacts.find((a) => a.name === "report.md")?.content ?? "";
    expect(markdown).toContain("本季度营业收入稳步增长。");
    expect(markdown).not.toContain("87.3%，创历史新高");
  });

  it("fails the run with REPORT_NOT_PRODUCED when the model only answers in prose", async () => {
    const outcome = await runWithWriter(() => text("# 2024年第三季度财务报告\n\n营业收入增长良好，利润可观。"));
    expect(outcome.status).toBe("failed");
    if (outcome.status !== "failed") return;
    expect(outcome.error.code).toBe("REPORT_NOT_PRODUCED");
    expect(outcome.error.message).toMatch(/report\.compose never succeeded \(no tool was called\).*writer=rules/);
  });

  it("fails with REPORT_NOT_PRODUCED, naming the refusal, when the model gives up after a refused commentary", async () => {
    const outcome = await runWithWriter((request) =>
      toolTurns(request) === 0 ? toolCall("report_compose", { quarter: QUARTER, language: "zh", commentary: ["净利润为123456789.1千元。"] }) : text("写不出来"),
    );
    expect(outcome.status).toBe("failed");
    if (outcome.status !== "failed") return;
    expect(outcome.error.code).toBe("REPORT_NOT_PRODUCED");
    expect(outcome.error.message).toContain("report.compose: COMMENTARY_FIGURE_UNSUPPORTED");
  });

  it("keeps the report the rules write unchanged when the writer stays on its rules", async () => {
    fake = await startFakeOpenAI(() => text("no plan today"));
    const runtime = createRuntime({ llm: settingsFor(fake.baseUrl, { agentModels: { data: "rules", analyst: "rules", writer: "rules" } }) });
    const outcome = await runtime.engine.execute({ runId: "w2", task: { description: TASK } });
    await runtime.close();
    expect(outcome.status).toBe("succeeded");
    if (outcome.status !== "succeeded") return;
    expect(outcome.result.artifacts.map((a) => a.name)).toEqual(expect.arrayContaining(["report.md", "report.html", "report.xlsx"]));
    expect(outcome.result.output).not.toHaveProperty("note");
  });
});
