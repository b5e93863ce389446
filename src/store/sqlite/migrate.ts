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
    const versions = pendingMigrations(SQLITE_MIGRATIONS, applied).map((migration) => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      return migration.version;
    });
    // A rebuild ran with enforcement off: it must leave every key as valid as it found it. The
    // check reads every row, so it runs only when something was applied, not on every open.
    if (versions.length === 0) return versions;
    const broken = db.pragma("foreign_key_check") as unknown[];
    if (broken.length > 0) throw new Error(`a migration left ${broken.length} rows with broken foreign keys; nothing was applied`);
    return versions;
  });
  // Enforcement can only change outside a transaction; it is put back as it was, whatever happens.
  const enforced = db.pragma("foreign_keys", { simple: true }) === 1;
  const rebuilds = SQLITE_MIGRATIONS.some((m) => m.foreignKeysOff) && enforced;
  if (rebuilds) db.pragma("foreign_keys = OFF");
  try {
    return apply.immediate();
  } finally {
    if (rebuilds) db.pragma("foreign_keys = ON");
  }
}
