import { chartFile } from "./render-charts.js";
import type { FigureTable } from "./report-figures.js";
import type { ReportBlock, ReportDocument } from "./report-document.js";

const cell = (value: string) => value.replace(/\|/g, "\\|");

function tableMarkdown({ columns, rows }: FigureTable): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const align = columns.map((_, i) => (i === 0 ? "---" : "---:"));
  const body = rows.map((row) => line([row.label, ...row.cells].map((c) => (row.strong ? `**${c}**` : c))));
  return [line(columns), line(align), ...body].join("\n");
}

function blockMarkdown(block: ReportBlock): string {
  switch (block.kind) {
    case "heading":
      return `## ${block.text}`;
    case "paragraph":
      return block.text;
    case "bullets":
      return block.items.map((item) => `- ${item}`).join("\n");
    case "table":
      return tableMarkdown(block.table);
    case "chart":
      // Markdown viewers rarely draw data URIs, so the chart is a file written beside the report.
      return [`![${block.chart.title}](${chartFile(block.chart)})`, ...(block.chart.caption ? [`*${block.chart.caption}*`] : [])].join("\n\n");
  }
}

/**
 * The report as Markdown. Tables are GitHub-flavoured; figures are written exactly as
 * `reviewReport` reads them back.
 */
export function renderMarkdown(document: ReportDocument): string {
  return `${[`# ${document.title}`, ...document.blocks.map(blockMarkdown)].join("\n\n")}\n`;
}
