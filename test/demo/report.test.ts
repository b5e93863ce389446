import { beforeAll, describe, expect, it } from "vitest";
import type { Language } from "../../src/core/index.js";
import { computeMetrics, loadLedger, queryLedger, reportChartsTool, reportComposeTool, reportReviewTool, type FinanceMetrics } from "../../src/demo/finance/index.js";
import { call } from "./tool-context.js";

interface Report {
  markdown: string;
  html: string;
}

const metricsFor = (quarter: string) => computeMetrics(queryLedger(loadLedger(), quarter));
const reports: Partial<Record<Language, Report>> = {};
const report = (language: Language): Report => {
  const r = reports[language];
  if (!r) throw new Error("report not composed");
  return r;
};

beforeAll(async () => {
  reports.zh = (await call(reportComposeTool, { quarter: "2024Q3", language: "zh" })) as Report;
  reports.en = (await call(reportComposeTool, { quarter: "2024Q3", language: "en" })) as Report;
});

describe("report.compose", () => {
  it("writes a Chinese report for zh", () => {
    const { markdown } = report("zh");
    expect(markdown).toMatch(/^# 银松仪器有限公司2024年第三季度财务报告/);
    for (const heading of ["## 经营摘要", "## 利润表", "## 分业务收入", "## 利润率与趋势分析", "## 图表"]) expect(markdown).toContain(heading);
    expect(markdown).toMatch(/\*\*营业收入\*\*：[\d,]+\.\d千元；环比增长[\d.]+%；同比增长[\d.]+%。/);
  });

  it("writes an English report for en", () => {
    const { markdown } = report("en");
    expect(markdown).toMatch(/^# Silverpine Instruments Co\., Ltd\. — Quarterly Financial Report, Q3 2024/);
    for (const heading of ["## Executive summary", "## Income statement", "## Revenue by line", "## Margins and trends"]) expect(markdown).toContain(heading);
    expect(markdown).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it("shows the income statement with thousands separators and one-decimal percentages", () => {
    const m = metricsFor("2024Q3");
    const revenue = (m.revenue.cents / 100_000).toFixed(1).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    expect(report("en").markdown).toContain(`| **Revenue** | **${revenue}** |`);
    expect(report("en").markdown).toMatch(/\| Gross margin \| \d+\.\d% \| \d+\.\d% \| [+-]\d+\.\d pp \|/);
  });

  it("produces self-contained HTML: inline CSS and SVG charts, no external URLs", () => {
    for (const language of ["zh", "en"] as const) {
      const { html } = report(language);
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain("<style>");
      expect(html.match(/<svg/g)?.length).toBe(3);
      expect(html).not.toMatch(/(src|href)\s*=\s*["']?https?:/i);
      expect(html).not.toMatch(/<(script|link|img)\b/i);
      expect(html).not.toMatch(/url\(/);
    }
    expect(report("zh").html).toContain('<html lang="zh-CN">');
  });

  it("names a CJK font for Windows, macOS and Linux, and prints on A4 without cutting rows", () => {
    const { html } = report("zh");
    const family = /body \{ font-family: ([^;]+);/.exec(html)?.[1] ?? "";
    for (const font of ["PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC"]) expect(family).toContain(`"${font}"`);
    expect(family.trim().endsWith("sans-serif")).toBe(true);
    expect(html).toContain("@page { size: A4;");
    expect(html).toMatch(/@media print \{[^@]*break-inside: avoid/);
  });

  it("links chart files from the Markdown, with captions that give the tables' unit instead of repeating titles", () => {
    const { markdown, html } = report("zh");
    expect(markdown).not.toContain("data:image");
    expect(markdown).toContain("![营业收入、营业成本与营业利润](charts/income-overview.svg)");
    expect(markdown).toContain("*单位：人民币千元；2023年第三季度至2024年第三季度。*");
    expect(markdown).toContain("除特别注明外，金额单位为人民币千元");
    const captions = [...html.matchAll(/<figcaption>([^<]*)<\/figcaption>/g)].map((m) => m[1] ?? "");
    expect(captions).toHaveLength(3);
    for (const title of ["营业收入、营业成本与营业利润", "分业务收入", "毛利率与营业利润率"]) expect(captions.some((c) => c.includes(title))).toBe(false);
  });

  it("draws the charts in the tables' unit, thousands", async () => {
    const m = metricsFor("2024Q3");
    const { charts } = (await call(reportChartsTool, { metrics: m, language: "en" })) as { charts: { svg: string }[] };
    expect(charts[0]?.svg).toContain("CNY thousand");
    expect(charts[0]?.svg).not.toContain("million");
  });

  it("escapes text in the HTML", () => {
    expect(report("en").html).toContain("<td>Freight &amp; warehousing</td>");
    expect(report("en").html).not.toContain("Freight & warehousing");
  });

  it("refuses metrics for another quarter with QUARTER_MISMATCH", async () => {
    await expect(call(reportComposeTool, { quarter: "2024Q2", language: "en", metrics: metricsFor("2024Q3") })).rejects.toMatchObject({ code: "QUARTER_MISMATCH" });
  });
});

describe("report.charts", () => {
  it("labels the charts in the report's language", async () => {
    const { charts } = (await call(reportChartsTool, { metrics: metricsFor("2024Q3"), language: "zh" })) as { charts: { id: string; title: string; svg: string }[] };
    expect(charts.map((c) => c.id)).toEqual(["income-overview", "revenue-by-line", "margins"]);
    expect(charts[0]?.svg).toMatch(/^<svg/);
    expect(charts[0]?.svg).toContain("营业收入");
    expect(charts[0]?.svg).toContain("2024年Q3");
    expect(charts[1]?.svg).toContain("授权许可收入");
  });

  it("draws each call's own figures when a layout repeats, one at a time or at once", async () => {
    const draw = async (metrics: FinanceMetrics) => ((await call(reportChartsTool, { metrics, language: "en" })) as { charts: { svg: string }[] }).charts.map((c) => c.svg);
    const actual = metricsFor("2024Q3");
    // Same quarters, series and titles (the same layout), revenue doubled.
    const doubled = { ...actual, trend: actual.trend.map((p) => ({ ...p, revenueCents: p.revenueCents * 2 })) };
    const first = await draw(actual);
    const other = await draw(doubled);
    expect(other[0]).not.toBe(first[0]);
    expect(other[2]).toBe(first[2]);
    expect(await draw(actual)).toEqual(first);
    expect(await Promise.all([draw(doubled), draw(actual), draw(doubled)])).toEqual([other, first, other]);
  });
});

describe("report.review", () => {
  const review = (markdown: string, m: FinanceMetrics, language: Language) =>
    call(reportReviewTool, { markdown, metrics: m, language }) as Promise<{ ok: boolean; checked: number; mismatches: { label: string; expected: string; found: string }[] }>;

  it.each(["zh", "en"] as const)("passes the real %s report, checking every figure", async (language) => {
    const result = await review(report(language).markdown, metricsFor("2024Q3"), language);
    expect(result).toEqual({ ok: true, checked: expect.any(Number), mismatches: [] });
    expect(result.checked).toBeGreaterThan(100);
  });

  it("fails when one number in the income statement is tampered with", async () => {
    const { markdown } = report("en");
    const tampered = markdown.replace(/^\| Services \| ([\d,.]+) \|/m, "| Services | 1,234.5 |");
    expect(tampered).not.toBe(markdown);
    const result = await review(tampered, metricsFor("2024Q3"), "en");
    expect(result.ok).toBe(false);
    expect(result.mismatches).toEqual([{ label: "Income statement · Services · Q3 2024", expected: expect.stringMatching(/^[\d,]+\.\d$/), found: "1,234.5" }]);
  });

  it("fails when the summary's words contradict the figures", async () => {
    const { markdown } = report("zh");
    const tampered = markdown.replace(/(\*\*净利润\*\*：[^；]+；环比)增长/, "$1下降");
    expect(tampered).not.toBe(markdown);
    const result = await review(tampered, metricsFor("2024Q3"), "zh");
    expect(result.mismatches.map((m) => m.label)).toEqual(["经营摘要 · 净利润 · QoQ"]);
  });

  it("fails when a row is missing or the report is for another quarter", async () => {
    const { markdown } = report("en");
    const withoutRow = markdown.replace(/^\| Licensing \|.*\n/m, "");
    expect((await review(withoutRow, metricsFor("2024Q3"), "en")).mismatches[0]).toMatchObject({ label: "Income statement · Licensing · Q3 2024", found: "missing" });
    expect((await review(markdown, metricsFor("2024Q2"), "en")).ok).toBe(false);
  });
});
