import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { FilesystemArtifactStore, moveInlineValues, sha256Hex, withArtifactStore } from "../../src/artifacts/index.js";
import { artifactBytes, type Run, type Step } from "../../src/core/index.js";
import { Worker, type EngineEvent } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { openStore, SqliteStore, type ServiceStore } from "../../src/store/index.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { scratchDir } from "../support/scratch.js";

interface SavedJournal {
  readonly runId: string;
  readonly task: { description: string };
  readonly steps: (Omit<Step, "startedAt" | "finishedAt"> & { startedAt: string; finishedAt?: string })[];
}
const saved = JSON.parse(readFileSync(new URL("../fixtures/journals/v1/quarterly-report-zh-after-analyse-call.json", import.meta.url), "utf8")) as SavedJournal;
const runtime = createRuntime();

/** The saved v1 journal, as its release left it: a claimed run with these steps, inline. */
async function restore(store: ServiceStore, journal: SavedJournal): Promise<void> {
  await store.submit(journal.task, { runId: journal.runId });
  const [lease] = await store.claim({ workerId: "restorer", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId: journal.runId });
  if (!lease) throw new Error("could not claim the restored run");
  for (const step of journal.steps) await store.record(lease, { ...step, startedAt: new Date(step.startedAt), ...(step.finishedAt ? { finishedAt: new Date(step.finishedAt) } : {}) } as Step);
  await store.release(lease);
}

function hashes(run: Run | undefined): Record<string, string> {
  return Object.fromEntries((run?.result?.artifacts ?? []).map((a) => [a.name, sha256Hex(artifactBytes(a))]));
}

interface Dialect {
  readonly name: string;
  /** The same database, opened again (migrating). */
  open(): Promise<ServiceStore>;
  /** Undoes the inline-runs migration, as a database of the previous release would be. */
  olderRelease(): Promise<void>;
  /** JSON bytes of the run's rows. */
  bytes(store: ServiceStore, runId: string): Promise<number>;
}

function describeMove(dialect: Dialect): void {
  describe(`moving inline values out on ${dialect.name}`, () => {
    it("moves a finished report's and a half-done v1 journal's values into the artifact store; both read the same, and the journal resumes", async () => {
      // A database of the previous release: a finished report and a saved v1 journal, all inline.
      const old = await dialect.open();
      const worker = new Worker({ store: old, engine: runtime.engine, workerId: "old" });
      await (await worker.submitAndRun({ description: "生成季度财务报告" }, { runId: "old-report" })).end;
      await restore(old, saved);
      const before = hashes(await old.get("old-report"));
      const stepsBefore = await old.load(saved.runId);
      const inlineBytes = await dialect.bytes(old, "old-report");
      await old.close();
      await dialect.olderRelease();

      const blobs = new FilesystemArtifactStore(join(scratchDir(), "blobs"));
      const store = withArtifactStore(await dialect.open(), blobs);
      // Before the move, inline rows read through the artifact store as they are.
      expect(hashes(await store.get("old-report"))).toEqual(before);
      expect(await store.runsWithInlineValues(10)).toEqual(["old-report", saved.runId].sort());

      const moved = await moveInlineValues(store, blobs);
      expect(moved.runs).toBe(2);
      expect(moved.values).toBeGreaterThan(5);
      expect(await store.runsWithInlineValues(10)).toEqual([]);
      expect(await moveInlineValues(store, blobs)).toEqual({ runs: 0, values: 0 });

      const movedBytes = await dialect.bytes(store, "old-report");
      console.info(`${dialect.name}: a finished report run ${(inlineBytes / 1024).toFixed(1)} KiB inline → ${(movedBytes / 1024).toFixed(1)} KiB after the move`);
      expect(movedBytes).toBeLessThanOrEqual(32 * 1024);
      expect(hashes(await store.get("old-report"))).toEqual(before);
      expect(await store.load(saved.runId)).toEqual(stepsBefore);

      // The half-done v1 journal finishes from its moved steps, without redoing recorded calls.
      const events: EngineEvent[] = [];
      const end = await new Worker({ store, engine: runtime.engine, onEvent: (e) => events.push(e) }).runOne(saved.runId);
      expect(end).toMatchObject({ kind: "finished", outcome: { status: "succeeded" } });
      const recorded = saved.steps.filter((s) => s.kind === "tool_call" && s.status === "succeeded").map((s) => s.key);
      expect(events.filter((e) => e.type === "tool.started" && recorded.includes(e.stepKey))).toEqual([]);
      expect(Object.keys(hashes(await store.get(saved.runId))).sort()).toEqual(["charts/income-overview.svg", "charts/margins.svg", "charts/revenue-by-line.svg", "report.html", "report.md", "report.xlsx"]);
      await store.close();
    });
  });
}

const sqlitePath = join(scratchDir(), "older.db");
describeMove({
  name: "SQLite (migration 10)",
  open: async () => SqliteStore.open(sqlitePath),
  olderRelease: async () => {
    const db = new Database(sqlitePath);
    db.exec("DELETE FROM schema_migrations WHERE version = 10; DROP TABLE inline_runs;");
    db.close();
  },
  bytes: (store, runId) => store.storageBytes(runId),
});

if (await postgresAvailable("moving inline values out on PostgreSQL")) {
  const database = await createTestDatabase();
  afterAll(() => database.drop());
  describeMove({
    name: "PostgreSQL (migration 7)",
    open: () => openStore(database.url, { schema: "older" }),
    olderRelease: async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query("DELETE FROM older.schema_migrations WHERE version = 7; DROP TABLE older.inline_runs;");
      await client.end();
    },
    bytes: (store, runId) => store.storageBytes(runId),
  });
}
