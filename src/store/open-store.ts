import { CsAgentsError } from "../core/index.js";
import { PostgresStore } from "./postgres/postgres-store.js";
import { redactUrl } from "./redact-url.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import type { ServiceStore } from "./service-store.js";

/** Where runs are kept when DATABASE_URL is not set. */
export const DEFAULT_SQLITE_PATH = "./data/cs-agents.db";

const EXPECTED = `a SQLite file path (${DEFAULT_SQLITE_PATH}, or sqlite:<path>) or postgres://user:password@host:5432/database`;

export interface OpenStoreOptions {
  /** Apply pending migrations on open. Default true. */
  readonly migrate?: boolean;
  /** SQLite only: NORMAL (default) or FULL. */
  readonly synchronous?: "NORMAL" | "FULL";
  /** PostgreSQL only: keep the tables in this schema. */
  readonly schema?: string;
  /** PostgreSQL only: connections in the pool. */
  readonly poolSize?: number;
}

export type StoreLocation = { readonly kind: "sqlite"; readonly path: string } | { readonly kind: "postgres"; readonly url: string };

/**
 * Reads DATABASE_URL: empty → the default SQLite file; `sqlite:<path>` or a plain path →
 * SQLite; `postgres://` or `postgresql://` → PostgreSQL.
 * @throws CsAgentsError (STORE_CONFIG) naming DATABASE_URL and the expected form; the password is redacted.
 */
export function parseStoreUrl(url: string | undefined): StoreLocation {
  const value = url?.trim() ?? "";
  if (value === "") return { kind: "sqlite", path: DEFAULT_SQLITE_PATH };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    const path = value.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "") throw configError(value, "sqlite: needs a path, e.g. sqlite:./data/cs-agents.db");
    return { kind: "sqlite", path };
  }
  if (scheme === "postgres" || scheme === "postgresql") return { kind: "postgres", url: checkPostgresUrl(value) };
  // "C:\data\x.db" has a one-letter "scheme"; anything else with "<scheme>://" is a URL we cannot serve.
  if (scheme !== undefined && scheme.length > 1 && value.slice(scheme.length + 1).startsWith("//")) {
    throw configError(value, `unsupported scheme "${scheme}:"`);
  }
  return { kind: "sqlite", path: value };
}

/**
 * Opens the store DATABASE_URL names (see `parseStoreUrl`), migrating it unless `migrate: false`.
 * @throws CsAgentsError (STORE_CONFIG) for a malformed URL, (STORE_UNREACHABLE) when the database cannot be reached.
 */
export async function openStore(url: string | undefined, options: OpenStoreOptions = {}): Promise<ServiceStore> {
  const location = parseStoreUrl(url);
  const migrate = options.migrate === undefined ? {} : { migrate: options.migrate };
  if (location.kind === "sqlite") {
    return SqliteStore.open(location.path, { ...migrate, ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }) });
  }
  return PostgresStore.connect(location.url, {
    ...migrate,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
  });
}

function checkPostgresUrl(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // Not passed on as the cause: Node's URL error holds the whole input, password included.
    throw configError(value, "it is not a valid URL");
  }
  if (!value.slice(parsed.protocol.length).startsWith("//") || parsed.hostname === "") {
    throw configError(value, "it names no host");
  }
  return value;
}

function configError(value: string, problem: string): CsAgentsError {
  return new CsAgentsError("STORE_CONFIG", `DATABASE_URL "${redactUrl(value)}" is not usable: ${problem}; expected ${EXPECTED}`);
}
