import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { openStore, type Store } from "../../src/store/index.js";
import { countBy, logLines } from "../crash/harness.js";
import { scratchDir } from "../support/scratch.js";
import { runFleet, tally } from "./fleet.js";

/** Where the runs live: a fresh database for each test, dropped with `drop`. */
export type Backend = (dir: string) => Promise<{ readonly url: string; drop(): Promise<void> }>;

const LEASE_MS = "1000";

async function submitAll(store: Store, descriptions: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const description of descriptions) ids.push((await store.submit({ description }, { runId: newRunId() })).run.id);
  return ids;
}

/** A run's one call, as the plugin's ledger names it. */
const callOf = (runId: string) => `${runId}/subtask/a/call/0`;

/**
 * Poison isolation against real `cs-agents worker` processes, restarted whenever they exit:
 * only the run that takes its worker down is failed as POISON_RUN.
 */
export function describePoisonIsolation(name: string, backend: Backend): void {
  async function scenario(descriptions: readonly string[], fleet: { workers: number; nodeArgs?: readonly string[] }) {
    const dir = scratchDir("cs-agents-poison-");
    const database = await backend(dir);
    const store = await openStore(database.url, { migrate: true });
    try {
      const calls = join(dir, "calls.log");
      const ids = await submitAll(store, descriptions);
      const result = await runFleet(store, {
        databaseUrl: database.url,
        workers: fleet.workers,
        concurrency: 2,
        ...(fleet.nodeArgs ? { nodeArgs: fleet.nodeArgs } : {}),
        env: { CS_AGENTS_LEASE_MS: LEASE_MS, CS_AGENTS_MAX_CRASHES: "3", CALLS_FILE: calls },
        cwd: dir,
        timeoutMs: 90_000,
      });
      return { ...result, ids, calls: countBy(logLines(calls)) };
    } finally {
      await store.close();
      await database.drop();
    }
  }

  describe(`poison isolation on ${name} (real worker processes)`, () => {
    it("fails only the run whose tool exits the process, not the run beside it", async () => {
      const { runs, ids, calls, crashesAtMs } = await scenario(["poison exit", "poison test neighbour"], { workers: 1 });
      const [poison, neighbour] = ids.map((id) => runs.find((run) => run.id === id));
      expect(poison).toMatchObject({ status: "failed", error: { code: "POISON_RUN" } });
      expect(neighbour?.status, JSON.stringify(neighbour?.error)).toBe("succeeded");
      expect(calls.get(callOf(ids[1] ?? ""))).toBeGreaterThanOrEqual(1);
      // One crash beside the neighbour, then MAX_CRASHES crashes alone.
      expect(crashesAtMs).toHaveLength(4);
    }, 120_000);

    it.each([
      ["process.exit", "poison exit", []],
      ["heap out of memory", "poison oom", ["--max-old-space-size=64"]],
    ] as const)("fails exactly 1 run of 41 as poison (%s) on 2 workers; the 40 others succeed", async (kind, poisonTask, nodeArgs) => {
      const descriptions = Array.from({ length: 40 }, (_, i) => `poison test ${i}`);
      descriptions.splice(10, 0, poisonTask);
      const { runs, ids, calls, crashesAtMs, elapsedMs } = await scenario(descriptions, { workers: 2, nodeArgs });
      expect(tally(runs)).toEqual({ succeeded: 40, "failed:POISON_RUN": 1 });
      const poisonId = ids[10] ?? "";
      expect(runs.find((run) => run.id === poisonId)?.error?.code).toBe("POISON_RUN");
      const innocent = ids.filter((id) => id !== poisonId);
      // An innocent call in flight beside the poison run when it first crashed its worker (before
      // anything was known about it) was never recorded, so it is made again, once. After that the
      // poison run runs alone: no innocent call is cut off twice.
      const repeated = innocent.filter((id) => (calls.get(callOf(id)) ?? 0) !== 1);
      expect(repeated.length).toBeLessThanOrEqual(2);
      expect(repeated.map((id) => calls.get(callOf(id)))).toEqual(repeated.map(() => 2));
      console.log(
        `poison isolation (${name}, ${kind}): 41 runs on 2 workers, ${crashesAtMs.length} worker crashes, poison declared ${(((crashesAtMs.at(-1) ?? 0) - (crashesAtMs[0] ?? 0)) / 1000).toFixed(1)} s after the first crash; all runs final after ${(elapsedMs / 1000).toFixed(1)} s`,
      );
    }, 120_000);
  });
}
