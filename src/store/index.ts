export * from "./store.js";
export { SqliteStore } from "./sqlite/sqlite-store.js";
export type { SqliteStoreOptions } from "./sqlite/sqlite-store.js";
export { PostgresStore } from "./postgres/postgres-store.js";
export type { PostgresStoreOptions } from "./postgres/postgres-store.js";
export { DEFAULT_SQLITE_PATH, openStore, parseStoreUrl } from "./open-store.js";
export type { OpenStoreOptions, StoreLocation } from "./open-store.js";
export { redactUrl } from "./redact-url.js";
export * from "./service-store.js";
