import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresStore, redactUrl } from "../../src/store/index.js";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { sql } from "../../src/store/postgres/sql.js";
import { describeStoreContract } from "./store-contract.js";
import { describeScheduleContract } from "./schedule-contract.js";

const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const mustRun = process.env.CI === "true";
const reachable = await probe(url);
if (!reachable && !mustRun) console.warn(`PostgreSQL not reachable at ${redactUrl(url)}: PostgreSQL store tests did not run`);

async function probe(target: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: target, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Each test gets its own schema, so test files (and tests) never see each other's runs. */
function freshSchema(): string {
  return `cs_test_${randomBytes(6).toString("hex")}`;
}

describe.skipIf(!reachable && !mustRun)("PostgresStore", () => {
  let admin: pg.Pool | undefined;
  beforeAll(() => {
    if (!reachable) throw new Error(`PostgreSQL not reachable at ${redactUrl(url)}, and CI=true requires the PostgreSQL store tests to run`);
    admin = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await admin?.end();
  });
  const dropSchema = async (schema: string) => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  };
  /** A store on a fresh schema and a plain client whose search_path is that schema, both closed after `body`. */
  const withStoreAndClient = async (body: (store: PostgresStore, client: pg.Client) => Promise<void>) => {
    const schema = freshSchema();
    const store = await PostgresStore.connect(url, { schema });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${schema}`);
      await body(store, client);
    } finally {
      await client.end();
      await store.close();
      await dropSchema(schema);
    }
  };

  describeStoreContract("PostgresStore", async () => {
    const schema = freshSchema();
    const store = await PostgresStore.connect(url, { schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  });

  describeScheduleContract("PostgresStore", async () => {
    const schema = freshSchema();
    const first = await PostgresStore.connect(url, { schema });
    const second = await PostgresStore.connect(url, { schema });
    return {
      stores: [first, second],
      cleanup: async () => {
        await Promise.all([first.close(), second.close()]);
        await dropSchema(schema);
      },
    };
  });

  it("migrates one fresh schema from two workers starting at once", async () => {
    const schema = freshSchema();
    const stores = await Promise.all([1, 2].map(() => PostgresStore.connect(url, { schema, migrate: false })));
    try {
      const applied = await Promise.all(stores.map((s) => s.migrate()));
      expect(applied.map((versions) => versions.join(",")).sort()).toEqual(["", POSTGRES_MIGRATIONS.map((m) => m.version).sort((a, b) => a - b).join(",")]);
      await stores[0]?.submit({ description: "x" }, { runId: "run-001" });
      expect((await stores[1]?.get("run-001"))?.status).toBe("queued");
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    }
  });

  it("claims, counts the queue and counts a tenant's unfinished runs from the active runs only, however many finished runs are kept", async () => {
    await withStoreAndClient(async (store, client) => {
      // A long history, older than everything queued: the old claim walked past all of it.
      await client.query(
        `INSERT INTO runs (id, tenant, task, status, schema_version, created_at, updated_at, finished_at)
         SELECT 'old-' || g, 'acme', '{"description":"x"}', 'succeeded', 1, now() - interval '1 day', now(), now() FROM generate_series(1, 5000) g`,
      );
      for (const id of ["run-001", "run-002", "run-003"]) await store.submit({ description: "x" }, { runId: id });
      await client.query("ANALYZE runs");
      const plan = async (statement: { text: string }, params: unknown[]) =>
        (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${statement.text}`, params)).rows.map((r) => r["QUERY PLAN"]).join("\n");
      // The claim reads the waiting and leased runs only (migration 12), never the history.
      expect(await plan(sql.claim, ["w1", 60_000, 1, true, null, 0])).toMatch(/Index Scan using runs_waiting/);
      expect(await plan(sql.claim, ["w1", 60_000, 1, true, null, 0])).toMatch(/runs_leased/);
      expect(await plan(sql.claim, ["w1", 60_000, 1, true, null, 0])).not.toMatch(/Seq Scan|runs_created|runs_active/);
      expect(await plan(sql.claim, ["w1", 60_000, 1, true, null, 0])).toMatch(/runs_quarantined/);
      expect(await plan(sql.queueStats, [])).toMatch(/runs_active/);
      // Three unfinished runs in all: either index of unfinished runs will do, never the history.
      expect(await plan(sql.activeRunsOfTenant, ["acme", 100])).toMatch(/runs_(tenant_)?active/);
      expect((await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 2, maxCrashes: 3 })).map((l) => l.runId)).toEqual(["run-001", "run-002"]);
      expect((await store.queueStats()).depth).toBe(1);
    });
  });

  it("counts a tenant's unfinished runs up to the cap from its own entries, not from other tenants' queues", async () => {
    await withStoreAndClient(async (store, client) => {
      await client.query(
        `INSERT INTO runs (id, tenant, task, status, schema_version)
         SELECT 'queued-' || g, 'initech', '{"description":"x"}', 'queued', 1 FROM generate_series(1, 5000) g`,
      );
      for (const id of ["run-001", "run-002"]) await store.submit({ description: "x", tenant: "acme" }, { runId: id });
      await client.query("ANALYZE runs");
      const count = async (tenant: string, cap: number) => (await client.query<{ n: number }>({ text: sql.activeRunsOfTenant.text, values: [tenant, cap] })).rows[0]?.n;
      expect(await count("acme", 100)).toBe(2);
      expect(await count("initech", 100)).toBe(100);
      expect(await count("initech", 10_000)).toBe(5_000);
      const plan = (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql.activeRunsOfTenant.text}`, ["acme", 100])).rows.map((r) => r["QUERY PLAN"]).join("\n");
      expect(plan).toMatch(/runs_tenant_active/);
      expect(plan).toMatch(/Limit/);
    });
  });

  it("refuses a schema name that is not a plain identifier", async () => {
    await expect(PostgresStore.connect(url, { schema: "x; DROP TABLE runs" })).rejects.toMatchObject({ code: "STORE_CONFIG" });
  });
});
