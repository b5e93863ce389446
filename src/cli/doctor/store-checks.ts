import { existsSync } from "node:fs";
import type { Config } from "../../config.js";
import { CsAgentsError } from "../../core/index.js";
import { openStore, parseStoreUrl, redactUrl } from "../../store/index.js";
import { type CheckResult, fail, ok, reason, skipped, withTimeout } from "./check.js";

const TIMEOUT_MS = 10_000;

/**
 * The store answers, and its schema is current. Nothing is created or migrated: a SQLite file
 * that does not exist yet is reported, not made.
 */
export async function checkStore(config: Config): Promise<CheckResult[]> {
  let location: ReturnType<typeof parseStoreUrl>;
  try {
    location = parseStoreUrl(config.DATABASE_URL);
  } catch (error) {
    return [fail("store", reason(error)), skipped("migrations", "the store is not usable")];
  }
  const where = location.kind === "sqlite" ? `SQLite ${location.path}` : `PostgreSQL ${redactUrl(location.url)}`;
  if (location.kind === "sqlite" && !existsSync(location.path)) {
    return [ok("store", `${where} does not exist yet; the first run creates it`), skipped("migrations", "no database yet")];
  }
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    store = await withTimeout(TIMEOUT_MS, where, openStore(config.DATABASE_URL, { migrate: false }));
  } catch (error) {
    // The store's own errors name the database (password redacted); others get it in front.
    return [fail("store", error instanceof CsAgentsError ? reason(error) : `${where}: ${reason(error)}`), skipped("migrations", "the store is not reachable")];
  }
  try {
    const pending = await withTimeout(TIMEOUT_MS, where, store.pendingMigrations());
    const migrations =
      pending.length === 0
        ? ok("migrations", "the schema is current")
        : config.CS_AGENTS_MIGRATE
          ? ok("migrations", `${pending.length} pending (${pending.join(", ")}); applied at the next start (CS_AGENTS_MIGRATE=true)`)
          : fail("migrations", `${pending.length} pending (${pending.join(", ")}) and CS_AGENTS_MIGRATE=false: run cs-agents migrate`);
    return [ok("store", `${where} answers`), migrations];
  } catch (error) {
    // SQLite's migration table exists only after the first migration.
    if (!/no such table/i.test(reason(error))) return [ok("store", `${where} answers`), fail("migrations", reason(error))];
    const migrations = config.CS_AGENTS_MIGRATE
      ? ok("migrations", "none applied yet (an empty database); applied at the next start (CS_AGENTS_MIGRATE=true)")
      : fail("migrations", "none applied yet (an empty database) and CS_AGENTS_MIGRATE=false: run cs-agents migrate");
    return [ok("store", `${where} answers`), migrations];
  } finally {
    await store?.close().catch(() => undefined);
  }
}
