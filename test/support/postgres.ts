import { randomBytes } from "node:crypto";
import pg from "pg";

/** The server the PostgreSQL suites use. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether PostgreSQL can be had. Under CI=true a missing server is an error (the suite must
 * fail, not skip); elsewhere the suite is skipped with a warning that names it.
 */
export async function postgresAvailable(suite: string): Promise<boolean> {
  const problem = await probe();
  if (problem === undefined) return true;
  const message = `PostgreSQL not reachable at ${TEST_DATABASE_URL.replace(/:[^:@/]*@/, ":***@")} (${problem}): ${suite} did not run`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`WARNING: ${message}`);
  return false;
}

/** A fresh, empty database on the test server; `drop` removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cs_agents_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
