import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli, scratchDir } from "./spawn-cli.js";

/** What a report run writes: report.md links the chart files in charts/; report.xlsx holds the statements. */
const WRITTEN = ["charts", "report.html", "report.md", "report.xlsx"];
const CHARTS = ["income-overview.svg", "margins.svg", "revenue-by-line.svg"];

function expectReportFiles(folder: string): void {
  expect(readdirSync(folder).sort()).toEqual(WRITTEN);
  expect(readdirSync(join(folder, "charts")).sort()).toEqual(CHARTS);
}

let dir: string;
beforeEach(() => {
  dir = scratchDir();
});

/** A succeeded run whose files are gone, as after a stop right at its end: the store has them. */
async function succeededRun(): Promise<string> {
  const result = await runCli(["run", "生成2024年第三季度财务报告", "--json"], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  const runId = (JSON.parse(result.stdout) as { runId: string }).runId;
  expectReportFiles(join(dir, "out", runId));
  return runId;
}

describe("a succeeded run's files come back from the store", () => {
  it("`cs-agents artifacts <id> [--out DIR]` writes them", async () => {
    const runId = await succeededRun();
    rmSync(join(dir, "out"), { recursive: true });
    const exported = await runCli(["artifacts", runId], { cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(join("out", runId, "report.html"));
    expectReportFiles(join(dir, "out", runId));

    const elsewhere = await runCli(["artifacts", runId, "--out", "copy", "--json"], { cwd: dir });
    expect((JSON.parse(elsewhere.stdout) as { files: string[] }).files).toHaveLength(6);
    expect(existsSync(join(dir, "copy", "report.md"))).toBe(true);
  });

  it("`resume` of the succeeded run writes them", async () => {
    const runId = await succeededRun();
    rmSync(join(dir, "out", runId), { recursive: true });
    const resumed = await runCli(["resume", runId], { cwd: dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/already succeeded; nothing to resume\. Its files: .*report\.html/);
    expectReportFiles(join(dir, "out", runId));
  });

  it("the next `run` fills a folder the run left empty", async () => {
    const runId = await succeededRun();
    for (const name of ["report.html", "report.md"]) rmSync(join(dir, "out", runId, name));
    const next = await runCli(["run", "生成2024年第三季度财务报告"], { cwd: dir });
    expect(next.code).toBe(0);
    expect(next.stderr).toContain(`run ${runId} had succeeded without its files written; wrote`);
    expectReportFiles(join(dir, "out", runId));
  });

  it.each([
    [["artifacts", "not-an-id"], 2, /not a run id/],
    [["artifacts", "0mwtsupi6-aaaaaaaa"], 2, /no run with id/],
  ])("exits with a one-line error for %j", async (args, code, message) => {
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
