import type pg from "pg";
import { pendingMigrations } from "../migration.js";
import { POSTGRES_MIGRATIONS } from "./migrations.js";
import { withTransaction } from "./transaction.js";

/**
 * Applies pending migrations in one transaction under an advisory lock: when a fleet of
 * workers starts at once, one migrates and the others wait, then find nothing left to do.
 * `schema` (already checked to be a plain identifier) is created when missing.
 */
export async function migratePostgres(pool: pg.Pool, schema: string | undefined): Promise<readonly number[]> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('cs-agents migrate ' || COALESCE($1::text, current_schema(), '')))", [schema ?? null]);
    // Look before creating: CREATE ... IF NOT EXISTS still needs the CREATE privilege, which a
    // runtime role on an up-to-date database may rightly lack.
    if (schema !== undefined && (await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema])).rowCount === 0) {
      await client.query(`CREATE SCHEMA ${schema}`);
    }
    if ((await client.query("SELECT 1 WHERE to_regclass('schema_migrations') IS NULL")).rowCount === 1) {
      await client.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    }
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
    const applied: number[] = [];
    for (const migration of pendingMigrations(POSTGRES_MIGRATIONS, new Set(rows.map((r) => r.version)))) {
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return applied;
  });
}
