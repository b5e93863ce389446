import { z } from "zod";
import { defineAgent, type Agent, type Decision, type RulesPolicy } from "../../agents/index.js";
import { findDependencyOutput, turnOutput } from "./find-dependency-output.js";
import { LedgerExtractSchema, QuarterSchema } from "./ledger-extract.js";
import { finishWriting } from "./writer-finish.js";
import { writerPolicy } from "./writer-policy.js";

const quarterOf = (input: Record<string, unknown>) => (typeof input.quarter === "string" ? input.quarter : undefined);

/**
 * The data agent: queries the ledger for the subtask's quarter and finishes with the extract.
 * Without a quarter it first asks ledger.quarters for the latest complete one.
 */
export const dataPolicy: RulesPolicy = ({ subtask, history }): Decision => {
  const last = history.at(-1);
  if (last?.result.status === "failed") return { type: "fail", error: last.result.error };
  if (!last) {
    return quarterOf(subtask.input) === undefined
      ? { type: "call", tool: "ledger.quarters", input: {} }
      : { type: "call", tool: "ledger.query", input: subtask.input };
  }
  if (last.tool === "ledger.quarters") {
    const quarters = turnOutput(history, "ledger.quarters", z.object({ latestComplete: QuarterSchema }));
    if (!quarters?.ok) return { type: "fail", error: quarters?.error ?? { code: "UNEXPECTED_TOOL_OUTPUT", message: "ledger.quarters returned nothing" } };
    return { type: "call", tool: "ledger.query", input: { ...subtask.input, quarter: quarters.value.latestComplete } };
  }
  return { type: "finish", output: last.result.output };
};

/**
 * The analyst: computes the metrics from the ledger extract a dependency collected (or, with
 * none, lets finance.metrics query the ledger) and finishes with them.
 */
export const analystPolicy: RulesPolicy = ({ subtask, dependencies, history }): Decision => {
  const last = history.at(-1);
  if (last?.result.status === "failed") return { type: "fail", error: last.result.error };
  if (last) return { type: "finish", output: last.result.output };
  const extract = findDependencyOutput(dependencies, LedgerExtractSchema);
  const quarter = quarterOf(subtask.input) ?? extract?.quarter;
  if (quarter === undefined) {
    return { type: "fail", error: { code: "MISSING_INPUT", message: "the analyst needs a quarter or a ledger extract to analyse" } };
  }
  return { type: "call", tool: "finance.metrics", input: extract ? { quarter, extract } : { quarter } };
};

export const dataAgent = defineAgent({
  name: "data",
  role: "Collects a quarter's figures from the general ledger",
  instructions: "Call ledger.query for the quarter (ledger.quarters tells the latest complete one) and return the extract unchanged.",
  tools: ["ledger.quarters", "ledger.query"],
  rules: dataPolicy,
  maxSteps: 4,
});

export const analystAgent = defineAgent({
  name: "analyst",
  role: "Turns a ledger extract into financial metrics",
  instructions: "Call finance.metrics with the quarter and the extract the data agent collected; return the metrics.",
  tools: ["finance.metrics"],
  rules: analystPolicy,
  maxSteps: 3,
});

export const writerAgent = defineAgent({
  name: "writer",
  role: "Writes and checks the quarterly financial report",
  instructions:
    "Call report.compose with the quarter, the language and your commentary (one string per paragraph: what moved, " +
    "which way and why; every number you write must be a figure of the statements, or leave numbers out). If it " +
    "refuses a figure, fix the commentary and call it again. Then finish with one sentence. The tools build the " +
    "statements, charts, report.md, report.html and report.xlsx from the metrics; a finish without a successful " +
    "report.compose fails the subtask.",
  tools: ["report.charts", "report.compose", "report.review", "report.workbook"],
  rules: writerPolicy,
  finish: finishWriting,
  maxSteps: 6,
});

export const financeAgents: readonly Agent[] = [dataAgent, analystAgent, writerAgent];
