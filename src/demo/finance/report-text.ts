import type { Language } from "../../core/index.js";

type Comparison = "qoq" | "yoy";
type Direction = "up" | "down" | "flat" | null;
/** How a figure moved when it is negative (a loss) in one of the two periods compared. */
export type LossChange = "narrowed" | "widened" | "toProfit" | "toLoss";

/** Every word of the report in one language; the report and its review both read it. */
export interface ReportText {
  readonly title: (company: string, quarter: string) => string;
  readonly subtitle: (previous: string | null, yearAgo: string | null) => string;
  /** Why the report covers `used`: the task named no quarter, and the ledger ends before `lastEnded`. */
  readonly periodChoice: (today: string, lastEnded: string, used: string) => string;
  readonly headings: {
    readonly summary: string;
    readonly incomeStatement: string;
    readonly revenueByLine: string;
    readonly commentary: string;
    readonly charts: string;
    readonly notes: string;
  };
  readonly columns: { readonly item: string; readonly line: string; readonly share: string; readonly qoq: string; readonly yoy: string };
  readonly rows: {
    readonly revenue: string;
    readonly costOfSales: string;
    readonly grossProfit: string;
    readonly grossMargin: string;
    readonly operatingExpenses: string;
    readonly operatingIncome: string;
    readonly operatingMargin: string;
    /** Interest expense less interest income, shown as a cost: positive when interest costs more than it earns. */
    readonly financeCosts: string;
    readonly pretaxIncome: string;
    readonly incomeTax: string;
    readonly netIncome: string;
    readonly netMargin: string;
  };
  /** Between a summary bullet's label and its figures. */
  readonly colon: string;
  /** Summary bullet parts are joined with this, so the review can split them again. */
  readonly separator: string;
  readonly amount: (formatted: string) => string;
  /** A change in words; `magnitude` is unsigned and already formatted. */
  readonly change: (comparison: Comparison, direction: Direction, magnitude: string, unit: "%" | "pp") => string;
  /**
   * A change of a figure that is a loss in one of the two periods, in words: a loss that
   * narrowed or widened (by `magnitude` percent of the earlier loss), or a swing across zero.
   */
  readonly lossChange: (comparison: Comparison, kind: LossChange, magnitude: string) => string;
  readonly end: string;
  readonly chartUnit: string;
  readonly notes: readonly string[];
}

const EN: ReportText = {
  title: (company, quarter) => `${company} — Quarterly Financial Report, ${quarter}`,
  subtitle: (previous, yearAgo) =>
    `Unaudited management accounts. Amounts in CNY thousands unless stated otherwise. ` +
    `QoQ compares with ${previous ?? "no earlier quarter"}, YoY with ${yearAgo ?? "no year-earlier quarter"}.`,
  periodChoice: (today, lastEnded, used) =>
    `**Period covered:** the task named no quarter. On ${today} the most recent ended quarter is ${lastEnded}, ` +
    `but the general ledger's books end with ${used}, so this report covers ${used}, the latest quarter with closed books.`,
  headings: {
    summary: "Executive summary",
    incomeStatement: "Income statement",
    revenueByLine: "Revenue by line",
    commentary: "Margins and trends",
    charts: "Charts",
    notes: "Notes",
  },
  columns: { item: "Item", line: "Revenue line", share: "Share", qoq: "QoQ", yoy: "YoY" },
  rows: {
    revenue: "Revenue",
    costOfSales: "Cost of sales",
    grossProfit: "Gross profit",
    grossMargin: "Gross margin",
    operatingExpenses: "Operating expenses",
    operatingIncome: "Operating income",
    operatingMargin: "Operating margin",
    financeCosts: "Net finance costs",
    pretaxIncome: "Profit before tax",
    incomeTax: "Income tax",
    netIncome: "Net income",
    netMargin: "Net margin",
  },
  colon: ": ",
  separator: "; ",
  amount: (formatted) => `CNY ${formatted} thousand`,
  change: (comparison, direction, magnitude, unit) => {
    const when = comparison === "qoq" ? "quarter on quarter" : "year on year";
    if (direction === null) return comparison === "qoq" ? "no previous quarter in the ledger" : "no year-earlier quarter in the ledger";
    if (direction === "flat") return `unchanged ${when}`;
    return `${direction} ${magnitude}${unit === "%" ? "%" : " pp"} ${when}`;
  },
  lossChange: (comparison, kind, magnitude) => {
    const when = comparison === "qoq" ? "quarter on quarter" : "year on year";
    if (kind === "toProfit") return `swung to a profit ${when}`;
    if (kind === "toLoss") return `swung to a loss ${when}`;
    return `loss ${kind} ${magnitude}% ${when}`;
  },
  end: ".",
  chartUnit: "CNY thousand",
  notes: [
    "Figures are taken from the company's general ledger and have not been audited.",
    "Changes are measured against the absolute value of the comparison amount, so a positive change in a table always means \"more\"; where the comparison amount is a loss, a positive change means the loss narrowed, and the text says so in words (loss narrowed or widened, swung to a profit or a loss).",
    "Net finance costs are interest expense less interest income; a positive figure is a net cost.",
    "Margins are percentages of revenue; their changes are in percentage points (pp).",
    "Each line is rounded to the nearest 0.1 thousand once, and every total is the sum of the rounded lines it shows, so totals may differ by a few tenths from the unrounded ledger sums; shares are rounded to add up to 100.0%.",
    "Silverpine Instruments is a fictional company; its ledger is generated for demonstration.",
  ],
};

const ZH: ReportText = {
  title: (company, quarter) => `${company}${quarter}财务报告`,
  subtitle: (previous, yearAgo) =>
    `未经审计的管理报表。除特别注明外，金额单位为人民币千元。` +
    `环比对比${previous ?? "（无上季度数据）"}，同比对比${yearAgo ?? "（无上年同期数据）"}。`,
  periodChoice: (today, lastEnded, used) => {
    const [year, month, day] = today.split("-").map(Number);
    return `**报告期说明：**任务未指定季度。截至${year}年${month}月${day}日，最近一个已结束的季度是${lastEnded}，` +
      `但总账只记录到${used}，因此本报告采用总账中最近一个已结账的季度，即${used}。`;
  },
  headings: {
    summary: "经营摘要",
    incomeStatement: "利润表",
    revenueByLine: "分业务收入",
    commentary: "利润率与趋势分析",
    charts: "图表",
    notes: "说明",
  },
  columns: { item: "项目", line: "业务线", share: "占比", qoq: "环比", yoy: "同比" },
  rows: {
    revenue: "营业收入",
    costOfSales: "营业成本",
    grossProfit: "毛利",
    grossMargin: "毛利率",
    operatingExpenses: "营业费用",
    operatingIncome: "营业利润",
    operatingMargin: "营业利润率",
    financeCosts: "财务费用",
    pretaxIncome: "利润总额",
    incomeTax: "所得税费用",
    netIncome: "净利润",
    netMargin: "净利率",
  },
  colon: "：",
  separator: "；",
  amount: (formatted) => `${formatted}千元`,
  change: (comparison, direction, magnitude, unit) => {
    const when = comparison === "qoq" ? "环比" : "同比";
    if (direction === null) return comparison === "qoq" ? "无上季度数据" : "无上年同期数据";
    if (direction === "flat") return `${when}持平`;
    const verb = direction === "up" ? (unit === "%" ? "增长" : "上升") : "下降";
    return `${when}${verb}${magnitude}${unit === "%" ? "%" : "个百分点"}`;
  },
  lossChange: (comparison, kind, magnitude) => {
    const when = comparison === "qoq" ? "环比" : "同比";
    if (kind === "toProfit") return `${when}扭亏为盈`;
    if (kind === "toLoss") return `${when}由盈转亏`;
    return `${when}亏损${kind === "narrowed" ? "收窄" : "扩大"}${magnitude}%`;
  },
  end: "。",
  chartUnit: "人民币千元",
  notes: [
    "数据取自公司总账，未经审计。",
    "变动幅度以对比期金额的绝对值为基数计算，表中正数表示数额增加；对比期为亏损时，正数即亏损收窄，文字部分直接写明亏损收窄或扩大、扭亏为盈或由盈转亏。",
    "财务费用为利息支出减利息收入，正数表示利息净支出。",
    "利润率为占营业收入的百分比，其变动以百分点（pp）表示。",
    "各明细项目按0.1千元四舍五入一次，合计数均由表中所列的已舍入明细加总而来，因此可能与未经舍入的总账合计相差零点几千元；占比经调整后合计为100.0%。",
    "银松仪器为虚构公司，其总账为演示用途生成。",
  ],
};

export const REPORT_TEXT: Readonly<Record<Language, ReportText>> = { en: EN, zh: ZH };
