import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_GENESIS_HASH, auditEntryHash, PostgresStore, SqliteStore } from "../../src/store/index.js";
import { postgresAvailable, TEST_DATABASE_URL } from "../support/postgres.js";
import { describeServiceStoreContract } from "./service-store-contract.js";

describeServiceStoreContract("SqliteStore", async () => {
  const store = SqliteStore.open(":memory:");
  return { store, cleanup: () => store.close() };
});

const postgres = await postgresAvailable("the PostgreSQL service store contract");

describe.skipIf(!postgres)("PostgresStore", () => {
  let admin: pg.Pool | undefined;
  beforeAll(() => {
    admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  });
  afterAll(async () => {
    await admin?.end();
  });

  // Each test gets its own schema, so tests and files never see each other's rows.
  describeServiceStoreContract("PostgresStore", async () => {
    const schema = `cs_svc_${randomBytes(6).toString("hex")}`;
    const store = await PostgresStore.connect(TEST_DATABASE_URL, { schema, poolSize: 4 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  });

  it("fails alone a submission the database refuses inside a group, the others committed and audited", async () => {
    const schema = `cs_svc_${randomBytes(6).toString("hex")}`;
    const store = await PostgresStore.connect(TEST_DATABASE_URL, { schema, poolSize: 4 });
    try {
      const submit = (n: number, tenant: string) =>
        store.submitAudited({ description: `r${n}`, tenant, idempotencyKey: `k${n}` }, { runId: `run-${String(n).padStart(3, "0")}`, requestHash: `h${n}`, submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant });
      // The first goes alone; the rest arrive while it commits and share a group, in which a
      // tenant with a NUL character (text PostgreSQL refuses) fails the shared statements.
      const settled = await Promise.allSettled([submit(1, "acme"), submit(2, "acme"), submit(3, "bad\u0000tenant"), submit(4, "globex"), submit(2, "acme")]);
      expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
      expect(settled[4]).toMatchObject({ status: "fulfilled", value: { created: false, run: { id: "run-002" } } });
      expect(await store.get("run-003")).toBeUndefined();
      const entries = await store.listAudit();
      expect(entries.map((e) => e.target)).toEqual(["run-001", "run-002", "run-004"]);
      entries.forEach((entry, i) => {
        expect(entry.prevHash).toBe(i === 0 ? AUDIT_GENESIS_HASH : entries[i - 1]?.hash);
        expect(auditEntryHash(entry.prevHash, entry)).toBe(entry.hash);
      });
    } finally {
      await store.close();
      await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});
