import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli, scratchDir } from "./spawn-cli.js";

let dir: string;
beforeEach(() => {
  dir = scratchDir();
});

const MISSING = "0mwtsupi6-aaaaaaaa";

describe("CLI errors in the terminal's language", () => {
  it("prints an unknown run id's error in Chinese under LANG=zh_CN.UTF-8, with the same code and exit code", async () => {
    const zh = await runCli(["status", MISSING], { cwd: dir, env: { LANG: "zh_CN.UTF-8" } });
    expect(zh.code).toBe(2);
    expect(zh.stderr).toBe(`错误：SQLite 存储中没有 id 为 ${MISSING} 的运行 [USAGE]\n`);
  });

  it("stays English by default and under LANG=C", async () => {
    for (const env of [{}, { LANG: "C.UTF-8" }, { LANG: "zh_CN.UTF-8", LC_ALL: "en_US.UTF-8" }]) {
      const en = await runCli(["status", MISSING], { cwd: dir, env });
      expect(en.code).toBe(2);
      expect(en.stderr).toBe(`error: no run with id ${MISSING} in the SQLite store [USAGE]\n`);
    }
  });

  it("follows LC_ALL over LANG, and translates interpolated values in place", async () => {
    const result = await runCli(["status", "not-an-id"], { cwd: dir, env: { LANG: "en_US.UTF-8", LC_ALL: "zh_CN.UTF-8" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("错误：“not-an-id”不是运行 id；应为 submit 或 run 打印的格式，例如 0mhx2k3a9-4f8k2zq1 [USAGE]\n");
  });

  it("falls back to the whole English line for an error the catalogue lacks", async () => {
    const result = await runCli(["--plugin", "./no-such-plugin.js", "tools"], { cwd: dir, env: { LANG: "zh_CN.UTF-8" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*no-such-plugin\.js.* \[[A-Z_]+\]\n$/);
  });
});

describe("planner errors in the terminal's language", () => {
  it("prints `plan` for a task no template matches in Chinese under LANG=zh_CN.UTF-8, one line, same code", async () => {
    const zh = await runCli(["plan", "make coffee"], { cwd: dir, env: { LANG: "zh_CN.UTF-8" } });
    expect(zh.code).toBe(1);
    expect(zh.stderr).toMatch(/^错误：内置规划器无法为“make coffee”制定计划；它能规划：quarterly-report \(e\.g\. "[^"]+"\)；[^\n]+ \[PLANNING_FAILED\]\n$/);
    const en = await runCli(["plan", "make coffee"], { cwd: dir });
    expect(en.stderr).toMatch(/^error: the built-in planner has no plan for "make coffee"; [^\n]+ \[PLANNING_FAILED\]\n$/);
  });
});

describe("a run's stored error in the terminal's language", () => {
  const NO_PLAN = /^错误：运行失败：内置规划器无法为“make coffee”制定计划；它能规划：quarterly-report \(e\.g\. "[^"]+"\)；[^\n]+ \[PLANNING_FAILED\]\n$/;

  it("prints `run` for a task no template matches in Chinese under LANG=zh_CN.UTF-8, and `status` reads the key back from the store", async () => {
    const zh = await runCli(["run", "make coffee"], { cwd: dir, env: { LANG: "zh_CN.UTF-8" } });
    expect(zh.code).toBe(1);
    expect(zh.stderr).toMatch(NO_PLAN);
    const runId = /^run (\S+)$/m.exec(zh.stdout)?.[1] ?? "";
    const status = await runCli(["status", runId], { cwd: dir, env: { LANG: "zh_CN.UTF-8" } });
    expect(status.stdout).toMatch(/^status {3}failed — 内置规划器无法为“make coffee”制定计划；[^\n]+ \[PLANNING_FAILED\]$/m);

    const en = await runCli(["run", "make coffee"], { cwd: dir });
    expect(en.code).toBe(1);
    expect(en.stderr).toMatch(/^error: the run failed: the built-in planner has no plan for "make coffee"; [^\n]+ \[PLANNING_FAILED\]\n$/);
    expect((await runCli(["status", runId], { cwd: dir })).stdout).toMatch(/^status {3}failed — the built-in planner has no plan for "make coffee"; [^\n]+ \[PLANNING_FAILED\]$/m);
  });

  it("keeps the English message of a run stored without a key (written before keys were kept)", async () => {
    const zh = await runCli(["run", "make coffee"], { cwd: dir, env: { LANG: "zh_CN.UTF-8" } });
    const runId = /^run (\S+)$/m.exec(zh.stdout)?.[1] ?? "";
    const db = new Database(join(dir, "data", "cs-agents.db"));
    try {
      const { error } = db.prepare("SELECT error FROM runs WHERE id = ?").get(runId) as { error: string };
      const { code, message } = JSON.parse(error) as { code: string; message: string };
      db.prepare("UPDATE runs SET error = ? WHERE id = ?").run(JSON.stringify({ code, message }), runId);
    } finally {
      db.close();
    }
    const status = await runCli(["status", runId], { cwd: dir, env: { LANG: "zh_CN.UTF-8" } });
    expect(status.stdout).toMatch(/^status {3}failed — the built-in planner has no plan for "make coffee"; [^\n]+ \[PLANNING_FAILED\]$/m);
  });
});
