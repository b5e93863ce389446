import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { scratchDir } from "../cli/spawn-cli.js";
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from "../support/private-postgres.js";
import { BackupDrill } from "./backup-drill.js";

const dir = scratchDir("cs-agents-backup-pg-");
const drill = new BackupDrill({ dir, effects: join(dir, "effects.log") });
const clusters: PrivatePostgres[] = [];
afterAll(async () => {
  await drill.processes.stopAll();
  for (const cluster of clusters) cluster.destroy();
});

describe.runIf(privatePostgresAvailable("backup and restore drill: PostgreSQL"))("backup and restore drill: PostgreSQL (pg_basebackup of a private cluster)", () => {
  it("takes a base backup with runs in flight; a fresh server on it finishes the unfinished runs without repeating a recorded call", async () => {
    const primary = await startPrivatePostgres();
    clusters.push(primary);
    const store = await openStore(primary.url, { migrate: true });
    const ids = await drill.submit(store, 9);
    const worker = drill.worker(primary.url, join(dir, "calls-live.log"), true);
    await drill.midFlight(store, ids);
    await drill.hold(store, ids);

    // pg_basebackup into a fresh data directory while the worker holds its runs and keeps heartbeating; a new server starts on it.
    const restoredCluster = await primary.restoreBaseBackup();
    clusters.push(restoredCluster);

    // The primary is lost, with the worker that used it.
    await worker.crash();
    await store.close();
    primary.stop();

    const restored = await openStore(restoredCluster.url, { migrate: true });
    try {
      const atBackup = await drill.journal(restored, ids);
      const unfinished = [...atBackup.values()].filter((run) => !["succeeded", "failed", "cancelled"].includes(run.status));
      expect(unfinished.length).toBeGreaterThanOrEqual(2);
      expect(unfinished.some((run) => run.done.length > 0)).toBe(true);

      const resumeStarted = performance.now();
      const restoredCalls = join(dir, "calls-restored.log");
      drill.worker(restoredCluster.url, restoredCalls);
      await drill.allFinished(restored, ids);
      const resumeMs = performance.now() - resumeStarted;
      await drill.expectResumed(restored, atBackup, restoredCalls);
      console.log(
        `restore drill (PostgreSQL): pg_basebackup ${restoredCluster.backupMs.toFixed(0)} ms, server start on the copy ${restoredCluster.startMs.toFixed(0)} ms, ${unfinished.length} unfinished runs finished ${(resumeMs / 1000).toFixed(1)} s after a worker started (lease 2 s)`,
      );
    } finally {
      await restored.close();
    }
  }, 240_000);
});
