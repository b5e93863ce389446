import type { FigureTable } from "./report-figures.js";
import type { ReportBlock, ReportDocument } from "./report-document.js";

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Escapes, then turns the one inline markup, `**bold**`, into <strong>. */
function inline(text: string): string {
  return escapeHtml(text).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
}

// Latin faces first so figures keep their shapes, then the CJK face each platform ships:
// PingFang SC and Hiragino Sans GB (macOS), Microsoft YaHei (Windows), Noto Sans CJK SC and
// Source Han Sans SC (Linux); the generic family last.
export const FONT_STACK =
  '"Helvetica Neue", Arial, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';

const STYLE = `
body { font-family: ${FONT_STACK}; color: #1d2733; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.55; }
h1 { font-size: 1.6rem; border-bottom: 3px solid #1f5f8b; padding-bottom: .4rem; }
h2 { font-size: 1.2rem; color: #1f5f8b; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; margin: .5rem 0 1rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #d8dee6; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
thead th { background: #eef3f8; }
tr.total td { font-weight: 600; border-top: 1px solid #9fb3c8; }
tr.item td:first-child { padding-left: 1.8rem; color: #45525f; }
figure { margin: 1rem 0; width: 100%; } figcaption { font-size: .9rem; color: #45525f; }
figure svg { display: block; width: 100%; height: auto; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; color: #000; }
  h1 { font-size: 16pt; } h2 { font-size: 12.5pt; break-after: avoid; page-break-after: avoid; }
  table { font-size: 9.5pt; } thead { display: table-header-group; }
  tr, figure { break-inside: avoid; page-break-inside: avoid; }
  thead th { background: #eef3f8; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  th, td { padding: .15rem .4rem; }
}
`.trim();

function tableHtml({ columns, rows }: FigureTable): string {
  const head = `<thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead>`;
  const body = rows.map((row) => {
    const cls = row.strong ? ' class="total"' : row.indent ? ' class="item"' : "";
    return `<tr${cls}>${[row.label, ...row.cells].map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`;
  });
  return `<table>${head}<tbody>${body.join("")}</tbody></table>`;
}

function blockHtml(block: ReportBlock): string {
  switch (block.kind) {
    case "heading":
      return `<h2>${inline(block.text)}</h2>`;
    case "paragraph":
      return `<p>${inline(block.text)}</p>`;
    case "bullets":
      return `<ul>${block.items.map((item) => `<li>${inline(item)}</li>`).join("")}</ul>`;
    case "table":
      return tableHtml(block.table);
    case "chart":
      // vega escapes the text it draws; the SVG is inlined so the page needs no other file.
      return `<figure>${block.chart.svg}${block.chart.caption ? `<figcaption>${escapeHtml(block.chart.caption)}</figcaption>` : ""}</figure>`;
  }
}

/** The report as one self-contained HTML page: inline CSS, charts as inline SVG, no external URLs. */
export function renderHtml(document: ReportDocument): string {
  const lang = document.language === "zh" ? "zh-CN" : "en";
  return [
    "<!DOCTYPE html>",
    `<html lang="${lang}">`,
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(document.title)}</title><style>${STYLE}</style></head>`,
    `<body><h1>${escapeHtml(document.title)}</h1>`,
    ...document.blocks.map(blockHtml),
    "</body></html>",
    "",
  ].join("\n");
}
