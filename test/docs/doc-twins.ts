import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The repository root, so pages are named the way people know them (`docs/api.md`). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface DocPair {
  /** The English page, relative to the root. */
  readonly english: string;
  /** Its Simplified Chinese twin, relative to the root. */
  readonly chinese: string;
}

/** Every English page and where its Chinese twin lives: README.md and each docs/*.md. */
export function docPairs(): DocPair[] {
  const pages = readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => ({ english: `docs/${name}`, chinese: `docs/zh/${name}` }));
  return [{ english: "README.md", chinese: "README.zh-CN.md" }, ...pages];
}

/** Chinese pages under docs/zh/ that have no English original (a renamed or deleted page). */
export function orphanChinesePages(): string[] {
  const dir = join(ROOT, "docs", "zh");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".md") && !existsSync(join(ROOT, "docs", name)))
    .map((name) => `docs/zh/${name}`);
}

export function readPage(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

const SHELL_FENCES = new Set(["sh", "bash", "shell", "console", "zsh"]);
const COMMAND_STARTS = ["$ ", "npx ", "cs-agents "];

/**
 * The shell command lines of a Markdown page, in order: every non-comment line of a
 * ```sh/```bash block, and lines starting with `$ `, `npx ` or `cs-agents ` in other blocks.
 * Comments (whole lines, or trailing `# …` outside quotes) are left out: translators may
 * translate them, while the commands must stay identical.
 */
export function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  let fence: { marker: string; shell: boolean } | undefined;
  for (const line of markdown.split("\n")) {
    const opening = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (fence === undefined) {
      if (opening !== null) fence = { marker: opening[1] ?? "```", shell: SHELL_FENCES.has((opening[2] ?? "").toLowerCase()) };
      continue;
    }
    if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, "") === "") {
      fence = undefined;
      continue;
    }
    const text = line.trim();
    if (text === "" || text.startsWith("#")) continue;
    if (fence.shell || COMMAND_STARTS.some((start) => text.startsWith(start))) commands.push(withoutComment(text));
  }
  return commands;
}

/** The line up to a `#` that starts a shell comment (preceded by a blank, outside quotes). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "#" && i > 0 && /\s/.test(line[i - 1] ?? "")) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}

/** Heading levels in order (`## A`, `### B` → [2, 3]), outside code blocks. */
export function headingLevels(markdown: string): number[] {
  const levels: number[] = [];
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    else if (!inFence) {
      const heading = /^(#{1,6})\s/.exec(line);
      if (heading !== null) levels.push(heading[1]?.length ?? 0);
    }
  }
  return levels;
}

/** Relative links to Markdown pages (`[x](api.md#y)` → `api.md`), outside code blocks. */
export function markdownLinks(markdown: string): string[] {
  const links: string[] = [];
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    for (const match of line.matchAll(/\]\(([^)\s#]+\.md)(#[^)]*)?\)/g)) {
      const target = match[1];
      if (target !== undefined && !/^[a-z]+:/i.test(target)) links.push(target);
    }
  }
  return links;
}
