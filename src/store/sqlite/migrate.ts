import type Database from "better-sqlite3";
import { pendingMigrations } from "../migration.js";
import { SQLITE_MIGRATIONS } from "./migrations.js";

/**
 * Applies pending migrations in one IMMEDIATE transaction: the write lock keeps a second
 * process from migrating the same file at the same time, and a failure leaves no half schema.
 */
export function migrateSqlite(db: Database.Database): readonly number[] {
  const apply = db.transaction(() => {
    db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT");
    const applied = new Set(db.prepare<[], number>("SELECT version FROM schema_migrations").pluck().all());
    const record = db.prepare<[number, string, number]>("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    return pendingMigrations(SQLITE_MIGRATIONS, applied).map((migration) => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      return migration.version;
    });
  });
  return apply.immediate();
}
