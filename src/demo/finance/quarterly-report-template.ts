import type { Language, Subtask } from "../../core/index.js";
import { InvalidInputError } from "../../core/index.js";
import { definePlanTemplate } from "../../planner/define-plan-template.js";
import { findRequestedQuarter, isQuarterlyReportRequest, type RequestedQuarter } from "./find-requested-quarter.js";
import { QuarterSchema } from "./ledger-extract.js";
import { loadLedger } from "./load-ledger.js";
import type { Ledger } from "./parse-ledger.js";
import { formatQuarter, quarterLabel, quarterNumber } from "./quarter.js";

/** The quarters a report can be written for: those with closed books. */
function closedQuarters(ledger: Ledger): string[] {
  return ledger.quarters.filter((q) => q <= ledger.latestComplete);
}

/**
 * The ledger quarter a request names: the latest complete one when it names none, the latest
 * of that number when it names no year, the latest of the year when it names only a year.
 * @throws InvalidInputError naming what is wrong and the range the ledger holds.
 */
export function resolveQuarter(requested: RequestedQuarter, ledger: Ledger): string {
  const closed = closedQuarters(ledger);
  const range = `${closed[0] ?? "?"} and ${ledger.latestComplete}`;
  if (requested.kind === "none") return ledger.latestComplete;
  if (requested.kind === "year") {
    const found = closed.filter((q) => q.startsWith(`${requested.year}Q`)).at(-1);
    if (found) return found;
    throw new InvalidInputError(`the ledger has no complete quarter in ${requested.year}; expected a quarter between ${range}`);
  }
  if (!Number.isInteger(requested.q) || requested.q < 1 || requested.q > 4) {
    throw new InvalidInputError(`quarter "${requested.text}" is not a quarter; expected Q1–Q4 between ${range}`);
  }
  if (requested.year === undefined) {
    const found = closed.filter((q) => quarterNumber(q) === requested.q).at(-1);
    if (found) return found;
    throw new InvalidInputError(`the ledger has no complete Q${requested.q} ("${requested.text}"); expected a quarter between ${range}`);
  }
  const quarter = formatQuarter(requested.year, requested.q);
  if (closed.includes(quarter)) return quarter;
  throw new InvalidInputError(`quarter ${quarter} is not in the ledger; expected a quarter between ${range}`);
}

const WORDS: Readonly<Record<Language, { collect: (q: string) => [string, string]; analyse: (q: string) => [string, string]; write: (q: string) => [string, string] }>> = {
  en: {
    collect: (q) => [`Collect the ${q} ledger data`, `Extract per-account totals for ${q}, the previous quarter and the same quarter a year earlier from the general ledger.`],
    analyse: (q) => [`Analyse the ${q} financial metrics`, `Compute revenue, gross profit and margin, operating income and net income for ${q}, with QoQ and YoY changes.`],
    write: (q) => [`Write the ${q} financial report`, `Write the ${q} quarterly financial report in English with charts, and check every figure against the metrics.`],
  },
  zh: {
    collect: (q) => [`收集${q}总账数据`, `从总账中提取${q}、上一季度及上年同期各科目的合计金额。`],
    analyse: (q) => [`分析${q}财务指标`, `计算${q}的营业收入、毛利及毛利率、营业利润和净利润，以及环比和同比变动。`],
    write: (q) => [`撰写${q}财务报告`, `用中文撰写${q}季度财务报告并附图表，逐项核对报告中的数字与财务指标。`],
  },
};

function buildSubtasks(params: Record<string, unknown>, language: Language): Subtask[] {
  const parsed = QuarterSchema.safeParse(params.quarter);
  if (!parsed.success) throw new InvalidInputError(`params.quarter: expected a quarter like 2024Q3, got ${JSON.stringify(params.quarter)}`);
  const quarter = parsed.data;
  const words = WORDS[language];
  const label = quarterLabel(quarter, language);
  const subtask = (id: string, [title, instructions]: [string, string], rest: Omit<Subtask, "id" | "title" | "instructions">): Subtask => ({ id, title, instructions, ...rest });
  return [
    subtask("collect", words.collect(label), { agent: "data", dependsOn: [], tool: "ledger.query", input: { quarter } }),
    subtask("analyse", words.analyse(label), { agent: "analyst", dependsOn: ["collect"], tool: "finance.metrics", input: { quarter } }),
    subtask("write", words.write(label), { agent: "writer", dependsOn: ["analyse"], tool: "report.compose", input: { quarter, language } }),
  ];
}

/**
 * Plans a quarterly financial report: collect (data, ledger.query) → analyse (analyst,
 * finance.metrics) → write (writer, report.compose). Params: `{ quarter: "2024Q3" }`.
 * Each subtask's suggested call also succeeds on its own, without its dependencies' outputs.
 */
export const quarterlyReportTemplate = definePlanTemplate({
  name: "quarterly-report",
  description: "a quarterly financial report of the demo company, written from its general ledger (zh or en)",
  examples: ["生成季度财务报告", "生成2024年第三季度财务报告", "Generate the Q3 2024 quarterly financial report"],
  match: (description) => {
    if (!isQuarterlyReportRequest(description)) return undefined;
    return { params: { quarter: resolveQuarter(findRequestedQuarter(description), loadLedger()) } };
  },
  build: buildSubtasks,
});
