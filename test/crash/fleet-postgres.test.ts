import { scratchDir } from "../support/scratch.js";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { openStore, type Store } from "../../src/store/index.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { countBy, logLines, startWorker } from "./harness.js";

const available = await postgresAvailable("fleet test on PostgreSQL");
const RUNS = 300;
const LEASE_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!available)("a fleet of 3 worker processes on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: Store;
  let client: pg.Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await store?.close();
    await database?.drop();
  });

  it(`finishes ${RUNS} runs with no duplicate side effect when one worker is killed -9 mid-flight`, async () => {
    const started = performance.now();
    const dir = scratchDir("cs-agents-fleet-");
    const effects = join(dir, "effects.log");
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) ids.push((await store.submit({ description: "crash test" }, { runId: newRunId() })).run.id);

    const env = { DATABASE_URL: database.url, LEASE_MS: String(LEASE_MS), CONCURRENCY: "8", TOOL_DELAY_MS: "15", EFFECTS_FILE: effects };
    const workers = ["w1", "w2", "w3"].map((id) => startWorker(["worker"], { ...env, WORKER_ID: id }));

    // Kill w1 once runs are flowing and it holds some.
    let held: string[] = [];
    for (let i = 0; i < 400 && held.length === 0; i++) {
      await sleep(25);
      const { rows } = await client.query<{ id: string }>(
        "select id from runs where lease_owner = 'w1' and status in ('planning', 'running') and (select count(*) from runs where status = 'succeeded') >= 30",
      );
      held = rows.map((r) => r.id);
    }
    expect(held.length).toBeGreaterThan(0);
    workers[0]?.child.kill("SIGKILL");
    const killedAt = performance.now();

    // When did another worker take each orphaned run over?
    const reclaimMs = new Map<string, number>();
    const deadline = killedAt + 120_000;
    while (performance.now() < deadline) {
      const { rows } = await client.query<{ id: string; lease_owner: string | null; status: string }>("select id, lease_owner, status from runs where id = any($1)", [held]);
      for (const r of rows) if (!reclaimMs.has(r.id) && r.lease_owner !== "w1") reclaimMs.set(r.id, performance.now() - killedAt);
      const { rows: open } = await client.query<{ n: string }>("select count(*) as n from runs where status not in ('succeeded', 'failed', 'cancelled')");
      if (reclaimMs.size === held.length && open[0]?.n === "0") break;
      await sleep(50);
    }

    const { rows: statuses } = await client.query<{ status: string; n: string }>("select status, count(*) as n from runs group by status");
    expect(Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)]))).toEqual({ succeeded: RUNS });

    const counts = countBy(logLines(effects));
    expect(counts.size).toBe(RUNS * 4);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    for (const id of ids) expect(counts.get(`crash.append ${id}/subtask/c/call/0`), id).toBe(1);

    const times = [...reclaimMs.values()].sort((a, b) => a - b);
    expect(times).toHaveLength(held.length);
    expect(Math.max(...times)).toBeLessThan(LEASE_MS + 10_000);

    for (const w of workers.slice(1)) w.child.kill("SIGTERM");
    const exits = await Promise.all(workers.slice(1).map((w) => w.done));
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    console.log(
      `fleet: ${RUNS} runs, ${held.length} orphaned by kill -9, reclaimed after median ${median.toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (lease ${LEASE_MS} ms); whole test ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 180_000);
});
