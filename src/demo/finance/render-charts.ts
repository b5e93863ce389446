import type { Runtime } from "vega";
import type { TopLevelSpec } from "vega-lite";
import { z } from "zod";
import type { Language } from "../../core/index.js";
import type { FinanceMetrics } from "./finance-metrics.js";
import { quarterLabel } from "./quarter.js";
import { REPORT_TEXT } from "./report-text.js";

export const ChartSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/, "expected a chart id like revenue-by-line"),
  title: z.string(),
  /** What the title does not say: the unit and the quarters shown. */
  caption: z.string().optional(),
  svg: z.string(),
});
export type Chart = z.infer<typeof ChartSchema>;

/** Where a chart is written beside report.md, and what report.md links. */
export const chartFile = (chart: Pick<Chart, "id">) => `charts/${chart.id}.svg`;

// Without the optional `canvas` package vega estimates text widths instead of measuring them,
// so nothing here needs native fonts; the font list only tells the reader's browser what to
// draw with (CJK fallbacks included).
const FONT = "Helvetica Neue, Arial, PingFang SC, Hiragino Sans GB, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC, sans-serif";
const COLORS = ["#1f5f8b", "#e07b39", "#3a9d5d", "#8e6bb8", "#c44e52"];

const TITLES: Readonly<Record<Language, { overview: string; lines: string; margins: string; quarter: string }>> = {
  en: { overview: "Revenue, cost of sales and operating income", lines: "Revenue by line", margins: "Gross and operating margin", quarter: "Quarter" },
  zh: { overview: "营业收入、营业成本与营业利润", lines: "分业务收入", margins: "毛利率与营业利润率", quarter: "季度" },
};

interface Point {
  readonly quarter: string;
  readonly series: string;
  readonly value: number;
}

const axisLabel = (quarter: string, language: Language) => (language === "zh" ? quarter.replace("Q", "年Q") : quarterLabel(quarter, "en"));
/** Cents as thousands with one decimal, the tables' unit. */
const thousands = (cents: number) => Math.round(cents / 10_000) / 10;
const roundTenth = (pct: number) => Math.round(pct * 10) / 10;

/** The name the points go by in every chart spec: the spec is the layout, the points its data. */
const POINTS = "points";

function chartSpec(title: string, points: readonly Point[], axes: { x: string; y: string }, mark: "grouped" | "stacked" | "line"): TopLevelSpec {
  const quarters = [...new Set(points.map((p) => p.quarter))];
  const series = [...new Set(points.map((p) => p.series))];
  const color = { field: "series", type: "nominal", sort: series, title: null, scale: { range: COLORS } } as const;
  const x = { field: "quarter", type: "nominal", sort: quarters, title: axes.x, axis: { labelAngle: 0 } } as const;
  const y = { field: "value", type: "quantitative", title: axes.y } as const;
  return {
    width: 720,
    height: 260,
    background: "white",
    title,
    data: { name: POINTS },
    mark: mark === "line" ? { type: "line", point: true } : { type: "bar" },
    encoding: mark === "grouped" ? { x, y, color, xOffset: { field: "series", type: "nominal", sort: series } } : { x, y, color },
    // Estimated widths run short for CJK labels, so legend columns get extra padding.
    config: { font: FONT, legend: { orient: "bottom", columnPadding: 24 }, title: { fontSize: 14, anchor: "start" } },
  };
}

// Compiling (vega-lite) and parsing (vega) a spec took three quarters of a chart's 17 ms, and
// a layout repeats across reports (the same titles, quarters and series); only the points
// differ. A parsed spec is read, never changed, by the views made from it.
const MAX_LAYOUTS = 64;
const parsedLayouts = new Map<string, Runtime>();

async function toSvg(spec: TopLevelSpec, points: readonly Point[]): Promise<string> {
  // Loaded on first use: vega costs ~300 ms to import and most processes never draw a chart.
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const layout = JSON.stringify(spec);
  let parsed = parsedLayouts.get(layout);
  if (parsed === undefined) {
    parsed = vega.parse(vegaLite.compile(spec).spec);
    if (parsedLayouts.size >= MAX_LAYOUTS) parsedLayouts.delete(parsedLayouts.keys().next().value ?? "");
    parsedLayouts.set(layout, parsed);
  }
  // vega marks the tuples it ingests: each view gets points of its own.
  const view = new vega.View(parsed, { renderer: "none" }).data(POINTS, points.map((p) => ({ ...p })));
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The report's charts as standalone SVG, labelled in `language`: revenue, cost of sales and
 * operating income over the recent quarters; revenue by line; gross and operating margins.
 */
export async function renderCharts(m: FinanceMetrics, language: Language): Promise<Chart[]> {
  const { rows, chartUnit } = REPORT_TEXT[language];
  const titles = TITLES[language];
  const at = (quarter: string) => axisLabel(quarter, language);
  const overview = m.trend.flatMap((p) => [
    { quarter: at(p.quarter), series: rows.revenue, value: thousands(p.revenueCents) },
    { quarter: at(p.quarter), series: rows.costOfSales, value: thousands(p.costOfSalesCents) },
    { quarter: at(p.quarter), series: rows.operatingIncome, value: thousands(p.operatingIncomeCents) },
  ]);
  const lines = m.trend.flatMap((p) => p.revenueByLine.map((l) => ({ quarter: at(p.quarter), series: l.name[language], value: thousands(l.cents) })));
  const margins = m.trend.flatMap((p) => [
    { quarter: at(p.quarter), series: rows.grossMargin, value: roundTenth(p.grossMarginPct) },
    { quarter: at(p.quarter), series: rows.operatingMargin, value: roundTenth(p.operatingMarginPct) },
  ]);
  const charts = [
    { id: "income-overview", title: titles.overview, points: overview, spec: chartSpec(titles.overview, overview, { x: titles.quarter, y: chartUnit }, "grouped") },
    { id: "revenue-by-line", title: titles.lines, points: lines, spec: chartSpec(titles.lines, lines, { x: titles.quarter, y: chartUnit }, "stacked") },
    { id: "margins", title: titles.margins, points: margins, spec: chartSpec(titles.margins, margins, { x: titles.quarter, y: "%" }, "line") },
  ];
  const first = m.trend[0]?.quarter ?? m.quarter;
  const span = language === "zh" ? `${quarterLabel(first, "zh")}至${quarterLabel(m.quarter, "zh")}` : `${quarterLabel(first, "en")} to ${quarterLabel(m.quarter, "en")}`;
  const caption = (unit: string) => (language === "zh" ? `单位：${unit}；${span}。` : `In ${unit}; ${span}.`);
  const captions: Readonly<Record<string, string>> = {
    "income-overview": caption(chartUnit),
    "revenue-by-line": caption(chartUnit),
    margins: caption(language === "zh" ? "占营业收入的百分比" : "percent of revenue"),
  };
  return Promise.all(charts.map(async ({ id, title, points, spec }) => ({ id, title, caption: captions[id], svg: await toSvg(spec, points) })));
}
