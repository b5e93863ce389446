import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import { PostgresStore, SqliteStore } from "../../src/store/index.js";
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
});
