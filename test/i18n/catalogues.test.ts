import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { STATUS_BY_CODE } from "../../src/api/problem.js";
import { CATALOGUES, createTranslator } from "../../src/i18n/index.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** Every message key a throw site names, template keys expanded over their known parts. */
function keysUsedInSource(): string[] {
  const keys = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/key: [`"]((?:api|cli|auth|planner)\.[a-z.-]+)(\$\{part\})?[`"]/g)) {
      const key = match[1] ?? "";
      if (match[2] === undefined) keys.add(key);
      else for (const part of ["body", "query", "path"]) keys.add(`${key}${part}`);
    }
    for (const match of text.matchAll(/\[\s*"[A-Z_]+",\s*(?:"[^"]*"|`[^`]*`),\s*"((?:api|cli)\.[a-z.-]+)"\s*\]/g)) keys.add(match[1] ?? "");
    for (const match of text.matchAll(/postgres \? "(cli\.[a-z-]+)" : "(cli\.[a-z-]+)"/g)) {
      keys.add(match[1] ?? "");
      keys.add(match[2] ?? "");
    }
  }
  return [...keys].sort();
}

describe("message catalogues", () => {
  it("titles every problem code in English and in Chinese", () => {
    for (const code of Object.keys(STATUS_BY_CODE)) {
      expect(CATALOGUES.en[`problem.title.${code}`], `en ${code}`).toBeTruthy();
      expect(CATALOGUES["zh-CN"][`problem.title.${code}`], `zh-CN ${code}`).toBeTruthy();
    }
  });

  it("has a Chinese message for every key the code gives", () => {
    const keys = keysUsedInSource();
    expect(keys.length).toBeGreaterThan(40);
    expect(keys.filter((key) => CATALOGUES["zh-CN"][key] === undefined)).toEqual([]);
  });

  it("has no Chinese message that no code gives (a stale key)", () => {
    const used = new Set(keysUsedInSource());
    const stale = Object.keys(CATALOGUES["zh-CN"]).filter((key) => /^(api|cli|auth|planner)\./.test(key) && !used.has(key) && !/^cli\.error(-internal)?$/.test(key));
    expect(stale).toEqual([]);
  });

  it("interpolates values, and falls back (undefined) when a value is missing or the key is unknown", () => {
    const translator = createTranslator();
    expect(translator.text("zh-CN", "api.no-task", { id: "0mwtsupi6-aaaaaaaa" })).toBe("找不到任务 0mwtsupi6-aaaaaaaa");
    expect(translator.text("zh-CN", "api.no-task")).toBeUndefined();
    expect(translator.text("zh-CN", "api.no-such-key", { id: "x" })).toBeUndefined();
    expect(translator.text("en", "api.no-task", { id: "x" })).toBeUndefined();
    // Values are text, not markup: nothing is escaped.
    expect(translator.text("zh-CN", "api.scope-required", { scope: "<admin>&" })).toBe("此操作需要权限范围“<admin>&”");
  });
});
