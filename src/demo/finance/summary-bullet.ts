import type { Language } from "../../core/index.js";
import { directionOf, formatMagnitude, NO_FIGURE } from "./format-figures.js";
import type { SummaryFigure } from "./report-figures.js";
import { REPORT_TEXT } from "./report-text.js";

/**
 * One executive-summary bullet, e.g. `- **Revenue**: CNY 55,720.1 thousand; up 11.7% quarter
 * on quarter; up 30.2% year on year.` Its reader below is kept next to it so the two agree.
 */
export function writeSummaryBullet(figure: SummaryFigure, language: Language): string {
  const text = REPORT_TEXT[language];
  const value = figure.unit === "%" ? text.amount(figure.value) : figure.value;
  const words = (comparison: "qoq" | "yoy", change: number | null) =>
    text.change(comparison, directionOf(change), change === null ? "" : formatMagnitude(change), figure.unit);
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

function readChange(words: string, unit: "%" | "pp", language: Language): string {
  const suffix = unit === "%" ? "%" : " pp";
  const flat = language === "zh" ? /^(?:环比|同比)持平/ : /^unchanged/;
  const missing = language === "zh" ? /^无/ : /^no /;
  if (flat.test(words)) return `0.0${suffix}`;
  if (missing.test(words)) return NO_FIGURE;
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
