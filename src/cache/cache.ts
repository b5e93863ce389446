/** A value found in a cache and how long it has left to live. */
export interface CacheHit {
  /** A fresh copy decoded from JSON: changing it never changes the cached entry. */
  readonly value: unknown;
  /** Milliseconds until the entry expires (> 0). Relative, so clocks of other hosts never matter. */
  readonly ttlMs: number;
}

/**
 * Counters since the cache was made. `hits.l1` counts hits served in-process (MemoryCache),
 * `hits.l2` hits served by the shared store (RedisCache, or the second level of a tiered cache).
 */
export interface CacheStats {
  readonly hits: { readonly l1: number; readonly l2: number };
  readonly misses: number;
  /** Redis calls that failed or timed out; always 0 for a cache without Redis. */
  readonly redisErrors: number;
}

/**
 * A key-value cache of JSON values with a time to live per entry. Adapters: `MemoryCache`,
 * `RedisCache`; `tieredCache(l1, l2)` stacks two. A cache is best effort: a backend outage
 * makes `get` miss and `set` do nothing rather than fail the caller.
 *
 * Errors (as rejected promises):
 * - `CACHE_VALUE_INVALID` from `set` when the value has no JSON form (undefined, bigint, cycles).
 * - `CACHE_TTL_INVALID` from `set` when `ttlMs` is not a finite number > 0.
 * - `CACHE_UNAVAILABLE` (retryable) from `delete`/`deleteByPrefix` when the backend could not
 *   confirm the deletion: an invalidation that silently failed would serve stale data.
 */
export interface Cache {
  /** The entry under `key`, or undefined when absent, expired or the backend is unreachable. */
  get(key: string): Promise<CacheHit | undefined>;
  /** Stores `value` (JSON-serialisable) for `ttlMs` milliseconds, replacing any entry. */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes every entry whose key starts with `prefix` (taken literally: no wildcards). */
  deleteByPrefix(prefix: string): Promise<void>;
  stats(): CacheStats;
  /** Releases connections and memory; the cache is not used afterwards. */
  close(): Promise<void>;
}

/** What `Lock.acquire` found: the lock is ours, someone else's, or the lock store is unreachable. */
export type LockAttempt =
  | { readonly status: "acquired"; readonly token: string }
  | { readonly status: "held" }
  | { readonly status: "unavailable" };

/**
 * A short lock shared between processes, so that one of them computes a value the others then
 * read from the shared cache. `RedisCache` implements it next to `Cache`. Never rejects: a lock
 * store that cannot answer reports `unavailable` and the caller goes on without the lock.
 */
export interface Lock {
  /** Takes the lock on `key` for `ttlMs` unless someone holds it; it expires on its own. */
  acquire(key: string, ttlMs: number): Promise<LockAttempt>;
  /** Releases the lock only if `token` still owns it (it may have expired and been retaken). */
  release(key: string, token: string): Promise<void>;
}
