import { existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { docPairs, headingLevels, markdownLinks, orphanChinesePages, readPage, ROOT, shellCommands } from "./doc-twins.js";

/**
 * The Chinese pages are kept in step with the English ones. English pages change often; when
 * this fails, the message names the page and the first command that differs, so the Chinese
 * twin can be brought up to date in a minute.
 */
describe("Chinese translations of the docs", () => {
  it("has a Chinese twin for README.md and every docs/*.md", () => {
    const missing = docPairs()
      .filter((pair) => !existsSync(join(ROOT, pair.chinese)))
      .map((pair) => `${pair.english} has no Chinese twin: add ${pair.chinese}`);
    expect(missing).toEqual([]);
  });

  it("has no Chinese page whose English original is gone", () => {
    expect(orphanChinesePages().map((page) => `${page} has no English original in docs/`)).toEqual([]);
  });

  for (const pair of docPairs()) {
    describe(pair.chinese, () => {
      it(`shows the same shell commands as ${pair.english}, in the same order`, () => {
        expect(commandDifference(pair.english, pair.chinese)).toBe("");
      });

      it(`keeps the heading structure of ${pair.english}`, () => {
        const english = headingLevels(readPage(pair.english));
        const chinese = headingLevels(readPage(pair.chinese));
        const outline = (levels: number[]): string => levels.map((level) => "#".repeat(level)).join(" ");
        expect(outline(chinese), `${pair.chinese} headings vs ${pair.english}`).toBe(outline(english));
      });

      it("links to Chinese pages that exist", () => {
        const broken = markdownLinks(readPage(pair.chinese))
          .map((link) => normalize(join(dirname(pair.chinese), link)))
          .filter((target) => !existsSync(join(ROOT, target)) || isEnglishTwin(target, pair.chinese))
          .map((target) => `${pair.chinese} links to ${target}`);
        expect(broken).toEqual([]);
      });
    });
  }
});

/** "" when both pages show the same commands, else one line per difference naming the page. */
function commandDifference(englishPage: string, chinesePage: string): string {
  const english = shellCommands(readPage(englishPage));
  const chinese = shellCommands(readPage(chinesePage));
  const lines: string[] = [];
  const count = Math.max(english.length, chinese.length);
  for (let index = 0; index < count; index += 1) {
    const en = english[index];
    const zh = chinese[index];
    if (en === zh) continue;
    lines.push(
      en === undefined
        ? `${chinesePage} command ${index + 1} is not in ${englishPage}: ${zh ?? ""}`
        : zh === undefined
          ? `${chinesePage} lacks command ${index + 1} of ${englishPage}: ${en}`
          : `${chinesePage} command ${index + 1} differs from ${englishPage}:\n  en: ${en}\n  zh: ${zh}`,
    );
    // After the first difference the rest is usually shifted; the first one is what to fix.
    break;
  }
  return lines.join("\n");
}

/** A Chinese page linking to an English page that has a Chinese twin (it should link the twin). */
function isEnglishTwin(target: string, from: string): boolean {
  if (target.startsWith("docs/zh/") || target === "README.zh-CN.md") return false;
  const twin = docPairs().find((pair) => pair.english === target);
  // Each Chinese page's one link back to its own English original is the language switch.
  return twin !== undefined && twin.chinese !== from;
}

describe("shellCommands", () => {
  it("takes sh lines and command-looking lines of other blocks, without comments", () => {
    const page = [
      "Run `npx cs-agents runs` inline (not a block: ignored).",
      "```sh",
      "# a comment, translated freely",
      "npx cs-agents resume <run id>        # recorded tool calls are not made again",
      "curl -d '{\"a\":\"#not a comment\"}' localhost",
      "```",
      "```",
      "cs-agents run \"生成季度财务报告\"",
      "  └─ cli/   parse args",
      "```",
    ].join("\n");
    expect(shellCommands(page)).toEqual([
      "npx cs-agents resume <run id>",
      "curl -d '{\"a\":\"#not a comment\"}' localhost",
      'cs-agents run "生成季度财务报告"',
    ]);
  });

  it("finds the README's quick start", () => {
    expect(shellCommands(readPage("README.md"))).toContain('npx cs-agents run "生成季度财务报告"');
  });
});
