import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { openStore, type Store } from "../../src/store/index.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { startWorker } from "./harness.js";

const available = await postgresAvailable("zombie and graceful-shutdown tests on PostgreSQL");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(25);
  }
}

describe.skipIf(!available)("leases on PostgreSQL", () => {
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

  const runRow = async (id: string) =>
    (await client.query<{ lease_owner: string | null; lease_epoch: number; status: string }>("select lease_owner, lease_epoch, status from runs where id = $1", [id])).rows[0];
  const stepsWithEpoch = async (id: string, epoch: number) =>
    Number((await client.query<{ n: string }>("select count(*) as n from steps where run_id = $1 and epoch = $2", [id, epoch])).rows[0]?.n);

  it("adds nothing to the journal from a paused worker that wakes up after its run was taken over", async () => {
    const { run } = await store.submit({ description: "crash test" }, { runId: newRunId() });
    const zombie = startWorker(["worker"], { DATABASE_URL: database.url, WORKER_ID: "zombie", LEASE_MS: "1000", CONCURRENCY: "1", TOOL_DELAY_MS: "1500" });
    await until(async () => (await runRow(run.id))?.lease_owner === "zombie" && (await stepsWithEpoch(run.id, 1)) >= 1, 15_000);
    await sleep(300); // inside the 1.5 s tool call
    zombie.child.kill("SIGSTOP");
    const staleEpoch = (await runRow(run.id))?.lease_epoch ?? 0;
    const writtenBeforePause = await stepsWithEpoch(run.id, staleEpoch);
    await sleep(1_300);

    const rescuer = startWorker(["worker"], { DATABASE_URL: database.url, WORKER_ID: "rescuer", LEASE_MS: "1000", CONCURRENCY: "1" });
    await until(async () => (await runRow(run.id))?.status === "succeeded", 20_000);
    expect((await runRow(run.id))?.lease_epoch).toBeGreaterThan(staleEpoch);

    const linesBeforeWaking = zombie.lines.length;
    zombie.child.kill("SIGCONT");
    // Woken past its lease's local deadline, the zombie stops the run without writing; a write it
    // still tried would be refused by the fence. Either way nothing of its epoch is added.
    await until(async () => zombie.lines.slice(linesBeforeWaking).some((l) => l.event === "stats"), 10_000);
    await sleep(300);
    expect(await stepsWithEpoch(run.id, staleEpoch)).toBe(writtenBeforePause);
    expect((await runRow(run.id))?.status).toBe("succeeded");

    zombie.child.kill("SIGTERM");
    rescuer.child.kill("SIGTERM");
    const [z, r] = await Promise.all([zombie.done, rescuer.done]);
    expect([z.code, r.code]).toEqual([0, 0]);
    const rescuerStats = r.lines.filter((l) => l.event === "stopped").at(-1)?.stats as { reclaims: number } | undefined;
    expect(rescuerStats?.reclaims).toBe(1);
  }, 60_000);

  it("on SIGTERM exits within the grace period, releases its leases, and the runs finish on another worker", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await store.submit({ description: "crash test" }, { runId: newRunId() })).run.id);
    const graceMs = 400;
    const worker = startWorker(["worker"], { DATABASE_URL: database.url, WORKER_ID: "leaving", LEASE_MS: "30000", CONCURRENCY: "3", TOOL_DELAY_MS: "700", GRACE_MS: String(graceMs) });
    await until(async () => Number((await client.query<{ n: string }>("select count(*) as n from runs where lease_owner = 'leaving'")).rows[0]?.n) === 3, 15_000);
    const signalled = performance.now();
    worker.child.kill("SIGTERM");
    const exit = await worker.done;
    const tookMs = performance.now() - signalled;
    expect(exit.code).toBe(0);
    expect(tookMs).toBeLessThan(graceMs + 1_500);
    const { rows: held } = await client.query("select id from runs where lease_owner is not null and status not in ('succeeded','failed','cancelled')");
    expect(held).toEqual([]);

    const next = startWorker(["worker"], { DATABASE_URL: database.url, WORKER_ID: "next", LEASE_MS: "30000", CONCURRENCY: "6" });
    await until(async () => Number((await client.query<{ n: string }>("select count(*) as n from runs where id = any($1) and status = 'succeeded'", [ids])).rows[0]?.n) === ids.length, 30_000);
    next.child.kill("SIGTERM");
    expect((await next.done).code).toBe(0);
  }, 60_000);
});
