import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { Step } from "../../src/core/index.js";
import type { EngineEvent } from "../../src/engine/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { SqliteStore, type Store } from "../../src/store/index.js";
import { openStore } from "../../src/store/index.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";

const ROOT = fileURLToPath(new URL("../fixtures/journals/", import.meta.url));

interface SavedJournal {
  readonly schemaVersion: number;
  readonly runId: string;
  readonly task: { description: string };
  readonly steps: (Omit<Step, "startedAt" | "finishedAt"> & { startedAt: string; finishedAt?: string })[];
}

const fixtures = readdirSync(ROOT).filter((v) => /^v\d+$/.test(v)).flatMap((version) =>
  readdirSync(join(ROOT, version)).map((file) => ({ name: `${version}/${file}`, journal: JSON.parse(readFileSync(join(ROOT, version, file), "utf8")) as SavedJournal })),
);

/** Loads a saved journal into a store the way its release left it: a claimed run with these steps. */
async function restore(store: Store, saved: SavedJournal): Promise<void> {
  await store.submit(saved.task, { runId: saved.runId });
  const [lease] = await store.claim({ workerId: "restorer", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId: saved.runId });
  if (!lease) throw new Error("could not claim the restored run");
  for (const step of saved.steps) {
    await store.record(lease, { ...step, startedAt: new Date(step.startedAt), ...(step.finishedAt ? { finishedAt: new Date(step.finishedAt) } : {}) } as Step);
  }
  await store.release(lease);
}

function describeResume(name: string, open: () => Promise<Store>): void {
  describe(`resuming saved journals on ${name}`, () => {
    it("has at least one saved journal per schema version", () => {
      expect(fixtures.length).toBeGreaterThan(0);
    });

    it.each(fixtures)("resumes $name to a reviewed report without redoing recorded steps", async ({ journal }) => {
      const store = await open();
      try {
        await restore(store, journal);
        const events: EngineEvent[] = [];
        const worker = new Worker({ store, engine: createRuntime().engine, onEvent: (e) => events.push(e) });
        const end = await worker.runOne(journal.runId);
        expect(end?.kind).toBe("finished");
        const outcome = end?.kind === "finished" ? end.outcome : undefined;
        expect(outcome?.status).toBe("succeeded");
        expect(outcome?.status === "succeeded" && outcome.result.artifacts.map((a) => a.name).sort()).toEqual(["charts/income-overview.svg", "charts/margins.svg", "charts/revenue-by-line.svg", "report.html", "report.md", "report.xlsx"]);
        const recordedCalls = journal.steps.filter((s) => s.kind === "tool_call" && s.status === "succeeded").map((s) => s.key);
        const madeAgain = events.filter((e) => e.type === "tool.started" && recordedCalls.includes(e.stepKey));
        expect(madeAgain).toEqual([]);
        expect(events.some((e) => e.type === "plan.created" && e.replayed)).toBe(true);
      } finally {
        await store.close();
      }
    });
  });
}

describeResume("SQLite", () => Promise.resolve(SqliteStore.open(":memory:")));

const pgAvailable = await postgresAvailable("resuming saved journals on PostgreSQL");
if (pgAvailable) {
  const database = await createTestDatabase();
  afterAll(() => database.drop());
  let schemas = 0;
  describeResume("PostgreSQL", () => openStore(database.url, { schema: `fixture_${++schemas}` }));
}
