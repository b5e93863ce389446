import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FilesystemArtifactStore } from "../../src/artifacts/index.js";
import { runCli, scratchDir } from "./spawn-cli.js";

describe("`cs-agents artifacts gc`", () => {
  it("counts, then deletes, the blobs no run references, past the grace period only; the runs keep their files", async () => {
    const dir = scratchDir();
    const run = await runCli(["run", "生成季度财务报告", "--json"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const runId = (JSON.parse(run.stdout) as { runId: string }).runId;
    // The default artifact store, beside the SQLite file.
    const blobs = new FilesystemArtifactStore(join(dir, "data", "cs-agents-artifacts"));
    const orphan = await blobs.put(Buffer.from("left behind by a pruned run"));

    const dry = await runCli(["artifacts", "gc", "--dry-run"], { cwd: dir });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^(\d+) blobs \([\d.]+ KiB\) in data\/cs-agents-artifacts: (\d+) referenced, 1 not \(1 kept: written within the last 1 h\); 0 would be deleted \(0 B\)\n$/);

    const gc = await runCli(["artifacts", "gc", "--grace-hours", "0", "--json"], { cwd: dir });
    expect(gc.code, gc.stderr).toBe(0);
    const report = JSON.parse(gc.stdout) as { blobs: number; referenced: number; deleted: number; deletedBytes: number; dryRun: boolean; graceMs: number };
    expect(report).toMatchObject({ deleted: 1, deletedBytes: 27, dryRun: false, graceMs: 0 });
    expect(report.referenced).toBe(report.blobs - 1);
    expect(await blobs.has(orphan)).toBe(false);

    const again = await runCli(["artifacts", runId, "--out", "copy", "--json"], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { files: string[] }).files.length).toBeGreaterThan(3);
  }, 120_000);

  it.each([["-1"], ["soon"], [""]])("refuses --grace-hours %j with exit 2, deleting nothing", async (value) => {
    const result = await runCli(["artifacts", "gc", "--grace-hours", value], { cwd: scratchDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --grace-hours must be a number of hours >= 0, got "[^"]*" \[USAGE\]\n$/);
  });
});
