import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ROOT, runCli, scratchDir } from "./spawn-cli.js";

let dir: string;
beforeEach(() => {
  dir = scratchDir();
});

describe("cs-agents run", () => {
  it("plans, runs and writes a Chinese report for a Chinese task", async () => {
    const result = await runCli(["run", "生成季度财务报告", "--out", "report"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/started\s+collect/);
    expect(result.stdout).toMatch(/finished\s+write/);
    expect(result.stdout).toContain(join("report", "report.html"));
    const markdown = readFileSync(join(dir, "report", "report.md"), "utf8");
    expect(markdown).toMatch(/季度/);
    expect(markdown).toContain("2025");
    const html = readFileSync(join(dir, "report", "report.html"), "utf8");
    expect(html).toContain("<svg");
    // report.md links its charts as files written beside it.
    const links = [...markdown.matchAll(/!\[[^\]]*\]\((charts\/[a-z-]+\.svg)\)/g)].map((m) => m[1] ?? "");
    expect(links).toHaveLength(3);
    for (const link of links) expect(readFileSync(join(dir, "report", link), "utf8")).toMatch(/^<svg/);
  });

  it("prints the result as JSON with --json and writes to out/<run id>/ by default", async () => {
    const result = await runCli(["run", "Generate the Q3 2024 quarterly financial report", "--json"], { cwd: dir });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { runId: string; status: string; plan: { params: { quarter: string } }; artifacts: { name: string; path: string }[] };
    expect(json.status).toBe("succeeded");
    expect(json.plan.params.quarter).toBe("2024Q3");
    expect(json.artifacts.map((a) => a.name).sort()).toEqual(["charts/income-overview.svg", "charts/margins.svg", "charts/revenue-by-line.svg", "report.html", "report.md", "report.xlsx"]);
    for (const a of json.artifacts) {
      expect(a.path).toBe(join("out", json.runId, a.name));
      expect(existsSync(join(dir, a.path))).toBe(true);
    }
    expect(readFileSync(join(dir, "out", json.runId, "report.md"), "utf8")).toMatch(/Q3 2024|2024 Q3|2024Q3/);
  });

  it.each([
    ["an empty task", ["run", "   "], /empty/],
    ["a task over 10,000 characters", ["run", "x".repeat(10_001)], /longer than 10000 characters/],
    ["a quarter that does not exist", ["run", "生成2019Q7季度财务报告"], /2019Q7/],
    ["an unknown option", ["run", "生成季度财务报告", "--bogus"], /unknown option/],
    ["an unknown command", ["frobnicate"], /unknown command/],
    ["an --out that is a file", ["run", "生成季度财务报告", "--out", "package.json"], /not a directory/],
  ])("exits 2 with a clear message for %s, with no stack trace", async (_name, args, message) => {
    writeFileSync(join(dir, "package.json"), "{}");
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 1 for a task no template matches and lists what it can plan", async () => {
    const result = await runCli(["run", "bake me a cake"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no plan for "bake me a cake"/);
    expect(result.stderr).toMatch(/quarterly-report/);
    // Errors are one line, as the README promises.
    expect(result.stderr).toMatch(/^error: the run failed: [^\n]+ \[PLANNING_FAILED\]\n$/);
  });

  it("prints an error that spans lines (a plugin's) as one line", async () => {
    const plugin = join(dir, "multiline-plugin.mjs");
    writeFileSync(plugin, `export const templates = [{ name: "broken", description: "fails", examples: ["broken"], match: (d) => (d === "broken" ? { params: {} } : undefined), build: () => { throw new Error("first line\\nsecond line"); } }];\n`);
    const result = await runCli(["--plugin", plugin, "run", "broken"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: the run failed: first line; second line \[[A-Z_]+\]\n$/);
  });
});

describe("cs-agents plan", () => {
  it("prints the three-subtask plan as JSON", async () => {
    const result = await runCli(["plan", "生成2024年第三季度财务报告", "--json"], { cwd: dir });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { subtasks: { id: string; title: string; agent: string; dependsOn: string[] }[] };
    expect(plan.subtasks.map((s) => [s.id, s.agent, s.dependsOn])).toEqual([
      ["collect", "data", []],
      ["analyse", "analyst", ["collect"]],
      ["write", "writer", ["analyse"]],
    ]);
    expect(plan.subtasks.every((s) => s.title.length > 0)).toBe(true);
  });

  it("prints a tree", async () => {
    const result = await runCli(["plan", "Generate the Q3 2024 quarterly financial report"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/└─ collect: .*\n\s+└─ analyse: .*\n\s+└─ write: /);
  });
});

describe("cs-agents tools, agents, --help", () => {
  it("lists tools and agents", async () => {
    const tools = await runCli(["tools", "--json"], { cwd: dir });
    expect(tools.code).toBe(0);
    const names = (JSON.parse(tools.stdout) as { name: string; input: unknown }[]).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["ledger.query", "finance.metrics", "report.compose"]));
    const agents = await runCli(["agents"], { cwd: dir });
    expect(agents.stdout).toMatch(/^data\s/m);
    expect(agents.stdout).toMatch(/^writer\s/m);
  });

  it("has --help on every command, exiting 0", async () => {
    for (const command of ["run", "plan", "tools", "agents", "resume", "submit", "status", "runs", "worker", "migrate", "decide", "prune"]) {
      const result = await runCli([command, "--help"], { cwd: dir });
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toMatch(/Usage: cs-agents/);
    }
    // Twelve CLI processes one after another: over 30 s on a loaded machine.
  }, 90_000);
});

describe("plugins", () => {
  const example = join(ROOT, "examples", "plugins", "word-count.js");

  it("runs a task planned by a plugin's template with the plugin's agent and tool", async () => {
    const result = await runCli(["--plugin", example, "run", "count the words in: to be or not to be", "--json"], { cwd: dir });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { output: { words: number; top: { word: string; count: number }[] } };
    expect(json.output.words).toBe(6);
    expect(json.output.top[0]).toEqual({ word: "be", count: 2 });
  });

  it("loads plugins from CS_AGENTS_PLUGINS", async () => {
    const result = await runCli(["tools"], { cwd: dir, env: { CS_AGENTS_PLUGINS: example } });
    expect(result.stdout).toMatch(/text\.count_words/);
  });

  it.each([
    ["a path that does not exist", "missing.js", "", /does not exist/],
    ["a module that exports nothing usable", "empty.mjs", "export const x = 1;\n", /exports nothing usable/],
    ["a module that fails to load", "broken.mjs", "export const = ;\n", /failed to load/],
    [
      "a tool whose name clashes with a built-in",
      "clash.mjs",
      `import { defineTool, z } from ${JSON.stringify(join(ROOT, "dist", "index.js"))};\n` +
        `export const tools = [defineTool({ name: "ledger.query", description: "x", input: z.object({}), output: z.object({}), handler: async () => ({}) })];\n`,
      /tool named "ledger\.query" already exists/,
    ],
  ])("exits 2 for %s", async (_name, file, content, message) => {
    if (content) writeFileSync(join(dir, file), content);
    const result = await runCli(["--plugin", file, "tools"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
