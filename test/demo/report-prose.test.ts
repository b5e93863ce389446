import { describe, expect, it } from "vitest";
import type { Language } from "../../src/core/index.js";
import { CHART_OF_ACCOUNTS, computeMetrics, loadLedger, queryLedger, reviewReport, type LedgerExtract } from "../../src/demo/finance/index.js";
import { composeReport } from "../../src/demo/finance/compose-report.js";
import { quarterLabel } from "../../src/demo/finance/quarter.js";
import { reportCommentary } from "../../src/demo/finance/report-commentary.js";
import { incomeStatementTable, type SummaryFigure } from "../../src/demo/finance/report-figures.js";
import { REPORT_TEXT } from "../../src/demo/finance/report-text.js";
import { readSummaryBullet, writeSummaryBullet } from "../../src/demo/finance/summary-bullet.js";

const ledger = loadLedger();
const languages = ["zh", "en"] as const;
const metricsOf = (quarter: string) => computeMetrics(queryLedger(ledger, quarter));

/**
 * A sentence's construction: names of lines and quarters, figures and size adverbs taken out,
 * so two sentences that only fill the same blanks differently compare equal.
 */
function skeleton(sentence: string, language: Language): string {
  const names = CHART_OF_ACCOUNTS.map((a) => a.name[language]).sort((a, b) => b.length - a.length);
  let s = language === "en" ? sentence.toLowerCase() : sentence;
  for (const name of names) s = s.split(language === "en" ? name.toLowerCase() : name).join("<line>");
  for (const quarter of ledger.quarters) s = s.split(language === "en" ? quarterLabel(quarter, "en").toLowerCase() : quarterLabel(quarter, "zh")).join("<quarter>");
  return s.replace(/\d+/g, "<n>").replace(/大幅|小幅|sharply |slightly /g, "").trim();
}

function sentencesOf(text: string, language: Language): string[] {
  const parts = language === "zh" ? text.split(/[。；]/) : text.split(/(?<=[.;])\s+/);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

describe.each(languages)("%s commentary reads as written, not filled in", (language) => {
  it.each(ledger.quarters)("%s: no sentence construction is used twice", (quarter) => {
    const { lead, paragraphs } = reportCommentary(metricsOf(quarter), language);
    const skeletons = [lead, ...paragraphs].flatMap((p) => sentencesOf(p, language)).map((s) => skeleton(s, language));
    expect(skeletons.length).toBeGreaterThan(0);
    expect(new Set(skeletons).size, skeletons.join("\n")).toBe(skeletons.length);
  });

  it.each(ledger.quarters)("%s: two comparisons are one judgement, never the same verb twice in a row", (quarter) => {
    const { lead, paragraphs } = reportCommentary(metricsOf(quarter), language);
    for (const text of [lead, ...paragraphs]) {
      // "较上季度增加、较上年同期增加", "higher than the previous quarter and higher than a year earlier"
      expect(text).not.toMatch(/(?:较上季度|环比)(\p{Script=Han}{1,4})[、，](?:较上年同期|同比)\1/u);
      expect(text).not.toMatch(/\b(higher|lower|up|down) than the previous quarter and \1 than a year earlier/);
    }
  });
});

describe("words a finance reader would stop at", () => {
  it.each(languages)("the %s report of every quarter uses none of them", (language) => {
    const flagged = language === "zh" ? ["托管", "净盈利", "利息净收支"] : ["Hosting", "Net interest income (expense)", "made a net profit, and"];
    for (const quarter of ledger.quarters) {
      const { markdown } = composeReport(metricsOf(quarter), [], language);
      for (const word of flagged) expect(markdown, `${quarter}: ${word}`).not.toContain(word);
    }
  });

  it("an instrument maker's third cost of sales line is freight and warehousing, as its ledger books", () => {
    const account = CHART_OF_ACCOUNTS.find((a) => a.code === "5300");
    expect(account?.name).toEqual({ en: "Freight & warehousing", zh: "运输及仓储费" });
    const descriptions = new Set(ledger.entries.filter((e) => e.account === "5300").map((e) => e.description.split(" ")[0]));
    expect([...descriptions].sort()).toEqual(["Freight", "Warehousing"]);
  });
});

describe("net interest is shown as a cost (财务费用), so its change reads the right way", () => {
  it.each(languages)("%s: positive while interest costs more than it earns; the change has the sign of the cost's change", (language) => {
    for (const quarter of ledger.quarters.slice(1)) {
      const table = incomeStatementTable(metricsOf(quarter), language);
      const row = table.rows.find((r) => r.label === REPORT_TEXT[language].rows.financeCosts);
      const [now, previous, qoq] = row?.values ?? [];
      if (!now || !previous || !qoq) throw new Error(`${quarter}: no finance costs row`);
      expect(now.value, quarter).toBeGreaterThan(0);
      expect(Math.sign(qoq.value), `${quarter}: ${row?.cells.join(" ")}`).toBe(Math.sign(Math.round((now.value - previous.value) * 10)));
    }
  });
});

const lossFigure = (now: number, before: number, qoq: number): SummaryFigure => ({
  label: "净利润",
  value: (now / 100_000).toFixed(1),
  unit: "%",
  qoq,
  yoy: null,
  levels: { now, previous: before, yearAgo: null },
});

describe("a loss is described as a loss", () => {
  it.each([
    [-87_000_00, -100_000_00, 13, "环比亏损收窄13.0%", "loss narrowed 13.0% quarter on quarter", "+13.0%"],
    [-113_300_00, -100_000_00, -13.3, "环比亏损扩大13.3%", "loss widened 13.3% quarter on quarter", "-13.3%"],
    [50_000_00, -100_000_00, 150, "环比扭亏为盈", "swung to a profit quarter on quarter", "toProfit"],
    [-50_000_00, 100_000_00, -150, "环比由盈转亏", "swung to a loss quarter on quarter", "toLoss"],
  ])("%i after %i (%f%%)", (now, before, qoq, zh, en, read) => {
    const figure = lossFigure(now, before, qoq);
    const zhBullet = writeSummaryBullet(figure, "zh");
    expect(zhBullet).toContain(zh);
    expect(zhBullet).not.toMatch(/环比(增长|下降)/);
    expect(writeSummaryBullet(figure, "en")).toContain(en);
    expect(readSummaryBullet(zhBullet, "%", "zh")?.qoq).toBe(read);
    expect(readSummaryBullet(writeSummaryBullet(figure, "en"), "%", "en")?.qoq).toBe(read);
  });

  it("a profit that grew still reads as growth", () => {
    expect(writeSummaryBullet({ ...lossFigure(120, 100, 20), levels: { now: 120, previous: 100, yearAgo: null } }, "zh")).toContain("环比增长20.0%");
  });

  /** The 2024Q3 extract with research spending tripled in the quarter and the one before: a loss in both. */
  function lossExtract(factor: number): LedgerExtract {
    const extract = queryLedger(ledger, "2024Q3");
    const inflate = (period: LedgerExtract["current"], by: number) => ({
      ...period,
      accounts: period.accounts.map((a) => (a.code === "6100" ? { ...a, totalCents: a.totalCents * by } : a)),
    });
    return { ...extract, current: inflate(extract.current, factor), previous: extract.previous && inflate(extract.previous, 3) };
  }

  it.each([
    [2.5, "收窄", "narrowed"],
    [5, "扩大", "widened"],
  ])("a net loss in two quarters (research x%f) is said to have %s, the report still passes its review", (factor, zh, en) => {
    const m = computeMetrics(lossExtract(factor));
    expect(m.netIncome.cents).toBeLessThan(0);
    expect(m.netIncome.previousCents).toBeLessThan(0);
    const zhLead = reportCommentary(m, "zh").lead;
    expect(zhLead).toContain(`净亏损较上季度${zh}`);
    expect(zhLead).not.toMatch(/净利润.{0,4}增长/);
    expect(reportCommentary(m, "en").lead).toContain(`the net loss ${en} from the previous quarter`);
    for (const language of languages) {
      const { markdown } = composeReport(m, [], language);
      expect(markdown).toContain(language === "zh" ? `环比亏损${zh}` : `loss ${en}`);
      expect(reviewReport(markdown, m, language).mismatches).toEqual([]);
    }
  });
});
