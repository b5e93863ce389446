import { describe, expect, it } from "vitest";
import { carryOut, createRulesModel, type Agent, type Decision, type Turn, type TurnContext } from "../../src/agents/index.js";
import type { Language, Subtask, SubtaskResult } from "../../src/core/index.js";
import { analystAgent, dataAgent, financeAgents, financeTools, quarterlyReportTemplate, writerAgent } from "../../src/demo/finance/index.js";
import { createToolRegistry, ToolExecutor } from "../../src/tools/index.js";
import { call } from "./tool-context.js";

const byName = new Map(financeTools.map((t) => [t.name, t]));
const [collect, analyse, write] = quarterlyReportTemplate.build({ quarter: "2024Q3" }, "en") as [Subtask, Subtask, Subtask];
const result = (subtaskId: string, output: unknown): SubtaskResult => ({ subtaskId, output, artifacts: [] });

function decide(agent: Agent, subtask: Subtask, dependencies: Record<string, SubtaskResult>, history: readonly Turn[], language: Language = "en"): Decision {
  const context: TurnContext = { agent, subtask, language, dependencies, history };
  if (!agent.rules) throw new Error(`${agent.name} has no rules`);
  return agent.rules(context);
}

/** Runs the agent's policy by hand: every call goes straight to the tool's handler. */
async function drive(agent: Agent, subtask: Subtask, dependencies: Record<string, SubtaskResult>, language: Language = "en") {
  const history: Turn[] = [];
  for (let step = 0; step < 10; step += 1) {
    const decision = decide(agent, subtask, dependencies, history, language);
    if (decision.type !== "call") return { decision, history };
    const tool = byName.get(decision.tool);
    if (!tool) throw new Error(`unknown tool ${decision.tool}`);
    history.push({ tool: decision.tool, input: decision.input, result: { status: "success", output: await call(tool, decision.input), attempts: 1, durationMs: 0 } });
  }
  throw new Error("the policy never finished");
}

const failedTurn = (tool: string): Turn => ({ tool, input: {}, result: { status: "failed", error: { code: "TOOL_TIMEOUT", message: "too slow" }, attempts: 3, durationMs: 1 } });

describe("data agent", () => {
  it("queries the subtask's quarter and finishes with the extract", async () => {
    const { decision, history } = await drive(dataAgent, collect, {});
    expect(history.map((t) => [t.tool, t.input])).toEqual([["ledger.query", { quarter: "2024Q3" }]]);
    expect(decision).toMatchObject({ type: "finish", output: { quarter: "2024Q3" } });
  });

  it("asks for the latest complete quarter when the subtask names none", async () => {
    const { decision, history } = await drive(dataAgent, { ...collect, input: {} }, {});
    expect(history.map((t) => t.tool)).toEqual(["ledger.quarters", "ledger.query"]);
    expect(decision).toMatchObject({ type: "finish", output: { quarter: "2025Q2" } });
  });

  it("fails with the tool's error when a call fails", () => {
    expect(decide(dataAgent, collect, {}, [failedTurn("ledger.query")])).toEqual({ type: "fail", error: { code: "TOOL_TIMEOUT", message: "too slow" } });
  });
});

describe("analyst agent", () => {
  it("passes the extract it finds among its dependencies, whatever their ids", async () => {
    const extract = await call(byName.get("ledger.query") ?? financeTools[0]!, { quarter: "2024Q3" });
    const first = decide(analystAgent, analyse, { "some-other-id": result("some-other-id", extract) }, []);
    expect(first).toEqual({ type: "call", tool: "finance.metrics", input: { quarter: "2024Q3", extract } });
    const { decision } = await drive(analystAgent, analyse, { x: result("x", extract) });
    expect(decision).toMatchObject({ type: "finish", output: { quarter: "2024Q3", revenue: { cents: expect.any(Number) } } });
  });

  it("lets finance.metrics query the ledger when no dependency holds an extract", () => {
    expect(decide(analystAgent, analyse, { x: result("x", { unrelated: true }) }, [])).toEqual({ type: "call", tool: "finance.metrics", input: { quarter: "2024Q3" } });
  });
});

describe("writer agent", () => {
  const metricsDependency = async () => ({ analyse: result("analyse", await call(byName.get("finance.metrics") ?? financeTools[0]!, { quarter: "2024Q3" })) });

  it("charts, composes, reviews and writes the workbook, then finishes with report.md, report.html, report.xlsx and the chart files", async () => {
    const { decision, history } = await drive(writerAgent, { ...write, input: { quarter: "2024Q3", language: "zh" } }, await metricsDependency(), "zh");
    expect(history.map((t) => t.tool)).toEqual(["report.charts", "report.compose", "report.review", "report.workbook"]);
    if (decision.type !== "finish") throw new Error(`expected finish, got ${JSON.stringify(decision)}`);
    expect(decision.output).toEqual({ quarter: "2024Q3", language: "zh", review: { ok: true, checked: expect.any(Number), mismatches: [] } });
    expect(decision.artifacts?.map((a) => [a.name, a.mediaType])).toEqual([
      ["report.md", "text/markdown"],
      ["report.html", "text/html"],
      ["report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
      ["charts/income-overview.svg", "image/svg+xml"],
      ["charts/revenue-by-line.svg", "image/svg+xml"],
      ["charts/margins.svg", "image/svg+xml"],
    ]);
    expect(decision.artifacts?.[0]?.content).toMatch(/季度/);
    expect(decision.artifacts?.[1]?.content).toContain("<svg");
    expect(decision.artifacts?.[2]?.encoding).toBe("base64");
    // An .xlsx file is a zip archive: it starts with "PK".
    expect(Buffer.from(decision.artifacts?.[2]?.content ?? "", "base64").subarray(0, 2).toString("latin1")).toBe("PK");
  });

  it("fails with REPORT_REVIEW_FAILED naming the mismatches when the review finds any", async () => {
    const dependencies = await metricsDependency();
    const { history } = await drive(writerAgent, write, dependencies);
    const review = { ok: false, checked: 151, mismatches: [{ label: "Income statement · Services · Q3 2024", expected: "11,359.8", found: "1,234.5" }] };
    const tampered = [...history.slice(0, 2), { ...history[2]!, result: { status: "success" as const, output: review, attempts: 1, durationMs: 0 } }];
    const decision = decide(writerAgent, write, dependencies, tampered);
    expect(decision).toMatchObject({ type: "fail", error: { code: "REPORT_REVIEW_FAILED", message: expect.stringContaining("Services · Q3 2024: expected 11,359.8, found 1,234.5") } });
  });

  it("fails with the tool's error when a call fails, and without metrics says what it needs", async () => {
    expect(decide(writerAgent, write, await metricsDependency(), [failedTurn("report.charts")])).toMatchObject({ type: "fail", error: { code: "TOOL_TIMEOUT" } });
    expect(decide(writerAgent, write, {}, [])).toMatchObject({ type: "fail", error: { code: "MISSING_DEPENDENCY" } });
  });
});

describe("the three agents together", () => {
  it("carry out the plan through the executor and the rules model", async () => {
    const executor = new ToolExecutor({ registry: createToolRegistry(financeTools) });
    const agents = new Map(financeAgents.map((a) => [a.name, a]));
    const subtasks = quarterlyReportTemplate.build({ quarter: "2025Q1" }, "en");
    const results: Record<string, SubtaskResult> = {};
    for (const subtask of subtasks) {
      const agent = agents.get(subtask.agent);
      if (!agent) throw new Error(`no agent ${subtask.agent}`);
      const dependencies = Object.fromEntries(subtask.dependsOn.map((id) => [id, results[id]!]));
      const outcome = await carryOut({ agent, subtask, language: "en", dependencies, model: createRulesModel(), callTool: (tool, input) => executor.run({ tool, input }) });
      if (outcome.status !== "succeeded") throw new Error(`${subtask.id} failed: ${JSON.stringify(outcome.error)}`);
      results[subtask.id] = { subtaskId: subtask.id, output: outcome.output, artifacts: outcome.artifacts };
    }
    expect(results.write?.artifacts.map((a) => a.name)).toEqual(["report.md", "report.html", "report.xlsx", "charts/income-overview.svg", "charts/revenue-by-line.svg", "charts/margins.svg"]);
    expect(results.write?.artifacts[0]?.content).toContain("Q1 2025");
  });
});
