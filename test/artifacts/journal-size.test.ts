import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { FilesystemArtifactStore, sha256Hex, withArtifactStore, type ArtifactStore } from "../../src/artifacts/index.js";
import { artifactBytes, type Run } from "../../src/core/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { openStore, SqliteStore, type ServiceStore } from "../../src/store/index.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { scratchDir } from "../support/scratch.js";

const KIB = 1_024;
const REPORT_TASK = { description: "生成季度财务报告" };
const runtime = createRuntime();

/** Runs the quarterly report (built-in offline planner and rules model) to the end on this store. */
async function reportRun(store: ServiceStore, runId: string): Promise<Run> {
  const worker = new Worker({ store, engine: runtime.engine, workerId: "size" });
  const started = await worker.submitAndRun(REPORT_TASK, { runId });
  expect(await started.end).toMatchObject({ kind: "finished", outcome: { status: "succeeded" } });
  const run = await store.get(runId);
  if (!run) throw new Error("the run is gone");
  return run;
}

/** Every artifact of the run, by name, as the SHA-256 of its bytes. */
function artifactHashes(run: Run): Record<string, string> {
  return Object.fromEntries((run.result?.artifacts ?? []).map((a) => [a.name, sha256Hex(artifactBytes(a))]));
}

/** The same, without the workbook: its zip entries carry the time it was written. */
function textHashes(run: Run): Record<string, string> {
  const { "report.xlsx": workbook, ...rest } = artifactHashes(run);
  expect(workbook).toMatch(/^[0-9a-f]{64}$/);
  return rest;
}

/** Bytes the run's rows take in a SQLite file holding only it: cell payloads of its tables (dbstat). */
function sqliteRunBytes(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], number>("SELECT SUM(payload) FROM dbstat WHERE name IN ('runs', 'steps', 'run_events')").pluck().get() ?? 0;
  } finally {
    db.close();
  }
}

describe("journal size of a quarterly-report run on SQLite", () => {
  it("keeps the run's rows under 32 KiB with an artifact store, with the same files as the inline run", async () => {
    const dir = scratchDir();
    const inline = SqliteStore.open(join(dir, "inline.db"));
    const inlineRun = await reportRun(inline, "inline-run");
    await inline.close();

    const blobs = new FilesystemArtifactStore(join(dir, "blobs"));
    const store = withArtifactStore(SqliteStore.open(join(dir, "refs.db")), blobs);
    const run = await reportRun(store, "refs-run");
    const storageBytes = await store.storageBytes("refs-run");
    await store.close();

    const before = sqliteRunBytes(join(dir, "inline.db"));
    const after = sqliteRunBytes(join(dir, "refs.db"));
    console.info(`quarterly report on SQLite: ${(before / KIB).toFixed(1)} KiB of rows inline, ${(after / KIB).toFixed(1)} KiB with the artifact store (JSON ${(storageBytes / KIB).toFixed(1)} KiB)`);
    expect(before).toBeGreaterThan(256 * KIB);
    expect(after).toBeLessThanOrEqual(32 * KIB);
    expect(storageBytes).toBeLessThanOrEqual(32 * KIB);
    expect(textHashes(run)).toEqual(textHashes(inlineRun));
    // Each file the run produced is a blob of its own bytes: its hash finds it.
    for (const hash of Object.values(artifactHashes(run))) expect(await blobs.has(hash)).toBe(true);
  });
});

const pgAvailable = await postgresAvailable("journal size on PostgreSQL");
if (pgAvailable) {
  const database = await createTestDatabase();
  afterAll(() => database.drop());

  /** Bytes of the run's row and its steps' rows as PostgreSQL stores them (pg_column_size, compressed). */
  async function postgresRunBytes(schema: string, runId: string): Promise<number> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ bytes: string }>(
        `SELECT ((SELECT COALESCE(SUM(pg_column_size(r.*)), 0) FROM ${schema}.runs r WHERE id = $1)
               + (SELECT COALESCE(SUM(pg_column_size(s.*)), 0) FROM ${schema}.steps s WHERE run_id = $1)
               + (SELECT COALESCE(SUM(pg_column_size(e.*)), 0) FROM ${schema}.run_events e WHERE run_id = $1))::text AS bytes`,
        [runId],
      );
      return Number(rows[0]?.bytes ?? 0);
    } finally {
      await client.end();
    }
  }

  describe("journal size of a quarterly-report run on PostgreSQL", () => {
    it("keeps the run's rows under 32 KiB with an artifact store, with the same files as the inline run", async () => {
      const inline = await openStore(database.url, { schema: "size_inline" });
      const inlineRun = await reportRun(inline, "inline-run");
      await inline.close();
      const blobs: ArtifactStore = new FilesystemArtifactStore(join(scratchDir(), "blobs"));
      const store = withArtifactStore(await openStore(database.url, { schema: "size_refs" }), blobs);
      const run = await reportRun(store, "refs-run");
      const storageBytes = await store.storageBytes("refs-run");
      await store.close();

      const before = await postgresRunBytes("size_inline", "inline-run");
      const after = await postgresRunBytes("size_refs", "refs-run");
      console.info(`quarterly report on PostgreSQL: ${(before / KIB).toFixed(1)} KiB of rows inline, ${(after / KIB).toFixed(1)} KiB with the artifact store (JSON ${(storageBytes / KIB).toFixed(1)} KiB)`);
      expect(before).toBeGreaterThan(64 * KIB);
      expect(after).toBeLessThanOrEqual(32 * KIB);
      expect(storageBytes).toBeLessThanOrEqual(32 * KIB);
      expect(textHashes(run)).toEqual(textHashes(inlineRun));
    });
  });
}
