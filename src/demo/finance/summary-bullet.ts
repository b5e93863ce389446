import type { Language } from "../../core/index.js";
import { directionOf, formatMagnitude, NO_FIGURE } from "./format-figures.js";
import { formatChange, type SummaryFigure } from "./report-figures.js";
import { REPORT_TEXT, type LossChange } from "./report-text.js";

type Comparison = "qoq" | "yoy";

/**
 * How an amount moved when it is a loss in either period: "+13.3%" on a loss reads as growth,
 * so the words say the loss narrowed or widened, or that it swung across zero. Undefined for
 * ordinary changes (both periods at or above zero), margins and missing comparisons.
 */
export function lossChangeOf(figure: SummaryFigure, comparison: Comparison): LossChange | undefined {
  const before = comparison === "qoq" ? figure.levels?.previous : figure.levels?.yearAgo;
  const now = figure.levels?.now;
  const change = comparison === "qoq" ? figure.qoq : figure.yoy;
  if (now === undefined || before === undefined || before === null || change === null) return undefined;
  if (before < 0 && now >= 0) return "toProfit";
  if (before > 0 && now < 0) return "toLoss";
  if (before < 0 && now < 0) {
    const direction = directionOf(change);
    return direction === "up" ? "narrowed" : direction === "down" ? "widened" : undefined;
  }
  return undefined;
}

/** A summary change the way the review expects to read it back: the table's figure, or the swing. */
export function expectedChange(figure: SummaryFigure, comparison: Comparison): string {
  const loss = lossChangeOf(figure, comparison);
  if (loss === "toProfit" || loss === "toLoss") return loss;
  return formatChange(comparison === "qoq" ? figure.qoq : figure.yoy, figure.unit);
}

/**
 * One executive-summary bullet, e.g. `- **Revenue**: CNY 55,720.1 thousand; up 11.7% quarter
 * on quarter; up 30.2% year on year.` Its reader below is kept next to it so the two agree.
 */
export function writeSummaryBullet(figure: SummaryFigure, language: Language): string {
  const text = REPORT_TEXT[language];
  const value = figure.unit === "%" ? text.amount(figure.value) : figure.value;
  const words = (comparison: Comparison, change: number | null) => {
    const magnitude = change === null ? "" : formatMagnitude(change);
    const loss = lossChangeOf(figure, comparison);
    return loss ? text.lossChange(comparison, loss, magnitude) : text.change(comparison, directionOf(change), magnitude, figure.unit);
  };
  const parts = [value, words("qoq", figure.qoq), words("yoy", figure.yoy)];
  return `- **${figure.label}**${text.colon}${parts.join(text.separator)}${text.end}`;
}

/** A summary bullet read back: its figures in the tables' format (`55,720.1`, `+11.7%`, `—`). */
export interface ReadBullet {
  readonly label: string;
  readonly value: string;
  readonly qoq: string;
  readonly yoy: string;
}

const BULLET = /^- \*\*(.+?)\*\*(?:: |：)(.*)$/;
const NUMBER = /-?[\d,]+\.\d/;
const EN_CHANGE = /^(up|down) ([\d,]+\.\d)(%| pp)/;
const ZH_CHANGE = /^(?:环比|同比)(增长|上升|下降)([\d,]+\.\d)(%|个百分点)/;
const ZH_LOSS = /^(?:环比|同比)(?:亏损(收窄|扩大)([\d,]+\.\d)%|(扭亏为盈)|(由盈转亏))/;
const EN_LOSS = /^(?:loss (narrowed|widened) ([\d,]+\.\d)%|swung to a (profit)|swung to a (loss))/;

/** A loss change read back: "+m%" when it narrowed, "-m%" when it widened, or the swing. */
function readLossChange(words: string, language: Language): string | undefined {
  const match = (language === "zh" ? ZH_LOSS : EN_LOSS).exec(words);
  if (!match) return undefined;
  if (match[3]) return "toProfit";
  if (match[4]) return "toLoss";
  const narrowed = match[1] === "narrowed" || match[1] === "收窄";
  return `${narrowed ? "+" : "-"}${match[2] ?? ""}%`;
}

function readChange(words: string, unit: "%" | "pp", language: Language): string {
  const suffix = unit === "%" ? "%" : " pp";
  const flat = language === "zh" ? /^(?:环比|同比)持平/ : /^unchanged/;
  const missing = language === "zh" ? /^无/ : /^no /;
  if (flat.test(words)) return `0.0${suffix}`;
  if (missing.test(words)) return NO_FIGURE;
  const loss = readLossChange(words, language);
  if (loss !== undefined) return loss;
  const match = (language === "zh" ? ZH_CHANGE : EN_CHANGE).exec(words);
  if (!match) return `unreadable: ${words}`;
  const down = match[1] === "down" || match[1] === "下降";
  return `${down ? "-" : "+"}${match[2] ?? ""}${suffix}`;
}

/** Reads a bullet written by writeSummaryBullet; undefined when the line is not one. */
export function readSummaryBullet(line: string, unit: "%" | "pp", language: Language): ReadBullet | undefined {
  const text = REPORT_TEXT[language];
  const match = BULLET.exec(line.trim());
  if (!match) return undefined;
  const body = (match[2] ?? "").replace(/[.。]$/, "");
  const [value = "", qoq = "", yoy = ""] = body.split(text.separator).map((part) => part.trim());
  const number = NUMBER.exec(value)?.[0];
  return {
    label: match[1] ?? "",
    value: number === undefined ? `unreadable: ${value}` : `${number}${unit === "pp" ? "%" : ""}`,
    qoq: readChange(qoq, unit, language),
    yoy: readChange(yoy, unit, language),
  };
}
