import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_GENESIS_HASH, auditEntryHash, PostgresStore, SqliteStore } from "../../src/store/index.js";
import { postgresAvailable, TEST_DATABASE_URL } from "../support/postgres.js";
import { describeServiceStoreContract } from "./service-store-contract.js";

/** The audit log holds one entry per target, in this order, each chained to the one before. */
async function expectChainOf(store: SqliteStore | PostgresStore, targets: readonly string[]): Promise<void> {
  const entries = await store.listAudit();
  expect(entries.map((e) => e.target)).toEqual(targets);
  entries.forEach((entry, i) => {
    expect(entry.prevHash).toBe(i === 0 ? AUDIT_GENESIS_HASH : entries[i - 1]?.hash);
    expect(auditEntryHash(entry.prevHash, entry)).toBe(entry.hash);
  });
}

describeServiceStoreContract("SqliteStore", async () => {
  const store = SqliteStore.open(":memory:");
  return { store, cleanup: () => store.close() };
});

describe("SqliteStore submissions in a group", () => {
  it("undoes only the submission whose audit entry fails after its run was written; the others commit, chained", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-svc-"));
    const path = join(dir, "store.db");
    const store = SqliteStore.open(path);
    // Another connection makes the audit log refuse one entry: that submission's run row is
    // already written when it fails, so the group must undo it and no other.
    const db = new Database(path);
    db.exec("CREATE TRIGGER refuse_one BEFORE INSERT ON audit_log WHEN NEW.target = 'run-003' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    db.close();
    try {
      const submit = (n: number) =>
        store.submitAudited({ description: `r${n}`, tenant: "acme", idempotencyKey: `k${n}` }, { runId: `run-${String(n).padStart(3, "0")}`, requestHash: `h${n}`, submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant: "acme" });
      const settled = await Promise.allSettled([1, 2, 3, 4].map(submit));
      expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
      expect(settled[2]).toMatchObject({ reason: { message: expect.stringContaining("refused by the test") } });
      expect(await store.get("run-003")).toBeUndefined();
      await expectChainOf(store, ["run-001", "run-002", "run-004"]);
      // The key of the undone submission is free again.
      await expect(submit(3).catch((e: unknown) => e)).resolves.toMatchObject({ message: expect.stringContaining("refused by the test") });
      await expect(store.submitAudited({ description: "again", tenant: "acme", idempotencyKey: "k3" }, { runId: "run-005", requestHash: "h5", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant: "acme" })).resolves.toMatchObject({ created: true });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
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
      await expectChainOf(store, ["run-001", "run-002", "run-004"]);
    } finally {
      await store.close();
      await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});
