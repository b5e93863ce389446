import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/store/index.js";
import { runCli, scratchDir } from "../cli/spawn-cli.js";
import { BackupDrill } from "./backup-drill.js";

const dir = scratchDir("cs-agents-backup-sqlite-");
const drill = new BackupDrill({ dir, effects: join(dir, "effects.log") });
afterAll(() => drill.processes.stopAll());

describe("backup and restore drill: SQLite (cs-agents backup, online, while runs execute)", () => {
  it("copies the live store mid-run; restored elsewhere, the unfinished runs finish without repeating a recorded call", async () => {
    const live = join(dir, "live", "cs-agents.db");
    mkdirSync(join(dir, "live"));
    const store = SqliteStore.open(live);
    const ids = await drill.submit(store, 9);
    const worker = drill.worker(live, join(dir, "calls-live.log"), true);
    await drill.midFlight(store, ids);
    await drill.hold(store, ids);

    // The backup, taken by the CLI in its own process while the worker holds its runs and keeps heartbeating.
    const backupFile = join(dir, "backups", "cs-agents.db");
    const backup = await runCli(["backup", backupFile, "--json"], { cwd: dir, env: { DATABASE_URL: live } });
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    const summary = JSON.parse(backup.stdout) as { path: string; runs: number; unfinishedRuns: number; pages: number };
    expect(summary).toMatchObject({ path: backupFile, runs: ids.length });

    // The machine is lost with the worker on it; the live file is not used again.
    await worker.crash();
    await store.close();

    // Restore: the backup becomes the store of a new deployment.
    const restoredPath = join(dir, "restored", "cs-agents.db");
    mkdirSync(join(dir, "restored"));
    copyFileSync(backupFile, restoredPath);
    const restored = SqliteStore.open(restoredPath);
    const atBackup = await drill.journal(restored, ids);
    const unfinished = [...atBackup.values()].filter((run) => !["succeeded", "failed", "cancelled"].includes(run.status));
    expect(unfinished.length).toBe(summary.unfinishedRuns);
    expect(unfinished.length).toBeGreaterThanOrEqual(2);
    expect(unfinished.some((run) => run.done.length > 0)).toBe(true);

    const resumeStarted = performance.now();
    const restoredCalls = join(dir, "calls-restored.log");
    drill.worker(restoredPath, restoredCalls);
    await drill.allFinished(restored, ids);
    const resumeMs = performance.now() - resumeStarted;
    await drill.expectResumed(restored, atBackup, restoredCalls);
    await restored.close();
    const { elapsedMs, bytes } = JSON.parse(backup.stdout) as { elapsedMs: number; bytes: number };
    console.log(
      `restore drill (SQLite): online backup of ${(bytes / 1024).toFixed(0)} KiB in ${elapsedMs} ms, ${unfinished.length} unfinished runs finished ${(resumeMs / 1000).toFixed(1)} s after a worker started (lease 2 s)`,
    );
  }, 180_000);

  it("copies the artifact folder beside the backup: restored elsewhere, a report run's files come back byte for byte", async () => {
    const home = join(dir, "reports");
    mkdirSync(home);
    const env = { DATABASE_URL: join(home, "cs-agents.db") };
    const run = await runCli(["run", "生成2024年第三季度财务报告", "--json"], { cwd: home, env });
    expect(run.code, run.stderr).toBe(0);
    const runId = (JSON.parse(run.stdout) as { runId: string }).runId;

    const backup = await runCli(["backup", join(home, "backups", "copy.db"), "--json"], { cwd: home, env });
    expect(backup.code, backup.stderr).toBe(0);
    const { artifacts } = JSON.parse(backup.stdout) as { artifacts: { copied: boolean; blobs: number; to: string } };
    expect(artifacts).toMatchObject({ copied: true, to: join(home, "backups", "copy-artifacts") });
    expect(artifacts.blobs).toBeGreaterThan(0);

    // Another machine: the backup folder moved there, the original gone.
    const restored = join(dir, "restored-reports");
    renameSync(join(home, "backups"), restored);
    const exported = await runCli(["artifacts", runId, "--out", "files", "--json"], { cwd: restored, env: { DATABASE_URL: join(restored, "copy.db") } });
    expect(exported.code, exported.stderr).toBe(0);
    const digest = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
    for (const name of ["report.md", "report.html", "report.xlsx", join("charts", "margins.svg")]) {
      expect(digest(join(restored, "files", name)), name).toBe(digest(join(home, "out", runId, name)));
    }

    // Without the folder the database alone cannot give the files back, and says so.
    rmSync(join(restored, "copy-artifacts"), { recursive: true });
    const without = await runCli(["artifacts", runId, "--out", "again"], { cwd: restored, env: { DATABASE_URL: join(restored, "copy.db") } });
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(/ARTIFACT_MISSING/);
  }, 120_000);

  it("refuses to overwrite a file, and refuses PostgreSQL, with one line saying what to do", async () => {
    const db = join(dir, "small.db");
    await SqliteStore.open(db).close();
    const taken = join(dir, "taken.db");
    writeFileSync(taken, "keep me");
    const overwrite = await runCli(["backup", taken], { cwd: dir, env: { DATABASE_URL: db } });
    expect(overwrite.code).toBe(1);
    expect(overwrite.stderr).toMatch(/^error: .*taken\.db exists: name a new file.*\[BACKUP_TARGET_EXISTS\]\n$/);
    const missing = await runCli(["backup", join(dir, "x.db")], { cwd: dir, env: { DATABASE_URL: join(dir, "nope.db") } });
    expect(missing.stderr).toMatch(/no SQLite store at .*nope\.db.*\[BACKUP_SOURCE_MISSING\]/);
    expect(existsSync(join(dir, "nope.db"))).toBe(false);
    const postgres = await runCli(["backup", join(dir, "pg.db")], { cwd: dir, env: { DATABASE_URL: "postgres://u@127.0.0.1:1/db" } });
    expect(postgres.code).toBe(2);
    expect(postgres.stderr).toMatch(/pg_basebackup/);
    expect(existsSync(join(dir, "pg.db"))).toBe(false);
  });
});
