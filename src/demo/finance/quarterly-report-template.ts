import type { Language, Subtask } from "../../core/index.js";
import { InvalidInputError } from "../../core/index.js";
import { definePlanTemplate, type PlanTemplate } from "../../planner/define-plan-template.js";
import { findRequestedQuarter, isQuarterlyReportRequest } from "./find-requested-quarter.js";
import { QuarterSchema } from "./ledger-extract.js";
import { loadLedger } from "./load-ledger.js";
import { quarterLabel } from "./quarter.js";
import { localIsoDate, PeriodChoiceSchema, resolveQuarter } from "./resolve-quarter.js";

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
  const choice = params.period === undefined ? undefined : PeriodChoiceSchema.safeParse(params.period);
  if (choice && !choice.success) throw new InvalidInputError(`params.period: expected { today: "2026-12-05", lastEnded: "2026Q3" }, got ${JSON.stringify(params.period)}`);
  // The writer says in the report why it covers an earlier quarter than "last quarter".
  const period = choice ? { period: choice.data } : {};
  const words = WORDS[language];
  const label = quarterLabel(quarter, language);
  const subtask = (id: string, [title, instructions]: [string, string], rest: Omit<Subtask, "id" | "title" | "instructions">): Subtask => ({ id, title, instructions, ...rest });
  return [
    subtask("collect", words.collect(label), { agent: "data", dependsOn: [], tool: "ledger.query", input: { quarter } }),
    subtask("analyse", words.analyse(label), { agent: "analyst", dependsOn: ["collect"], tool: "finance.metrics", input: { quarter } }),
    subtask("write", words.write(label), { agent: "writer", dependsOn: ["analyse"], tool: "report.compose", input: { quarter, language, ...period } }),
  ];
}

/**
 * Plans a quarterly financial report: collect (data, ledger.query) → analyse (analyst,
 * finance.metrics) → write (writer, report.compose). Params: `{ quarter: "2024Q3", period? }`;
 * `period` is set when the task named no quarter and the ledger ends before the last quarter
 * ended on the clock's today. Each subtask's suggested call also succeeds on its own.
 */
export function createQuarterlyReportTemplate(clock: { readonly now: () => Date }): PlanTemplate {
  return definePlanTemplate({
    name: "quarterly-report",
    description: "a quarterly financial report of the demo company, written from its general ledger (zh or en)",
    examples: ["生成季度财务报告", "生成2024年第三季度财务报告", "Generate the Q3 2024 quarterly financial report"],
    match: (description) => {
      if (!isQuarterlyReportRequest(description)) return undefined;
      const { quarter, choice } = resolveQuarter(findRequestedQuarter(description), loadLedger(), localIsoDate(clock.now()));
      return { params: choice ? { quarter, period: choice } : { quarter } };
    },
    build: buildSubtasks,
  });
}

/** The template on the system clock, for programs that use it directly. */
export const quarterlyReportTemplate = createQuarterlyReportTemplate({ now: () => new Date() });
