import { LRUCache } from "lru-cache";
import type { Cache, CacheHit, CacheStats } from "./cache.js";
import { checkOption, checkTtlMs, encodeCacheValue } from "./cache-value.js";

export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used go first. Default 10,000. */
  readonly maxEntries?: number;
  /** Most bytes of JSON kept (UTF-8 length of each value). Default 64 MiB. */
  readonly maxBytes?: number;
}

/**
 * In-process LRU cache (the L1), bounded by entry count and by bytes, with a TTL per entry.
 * A value larger than `maxBytes` is not stored at all (later reads miss).
 * @throws CsAgentsError (INVALID_OPTIONS) when a bound is not a whole number >= 1.
 */
export class MemoryCache implements Cache {
  // Values are kept as JSON text: the byte bound is then exact, and callers can't mutate entries.
  readonly #entries: LRUCache<string, string>;
  #hits = 0;
  #misses = 0;

  constructor(options: MemoryCacheOptions = {}) {
    const max = checkOption("maxEntries", options.maxEntries ?? 10_000, 1, true);
    const maxSize = checkOption("maxBytes", options.maxBytes ?? 64 * 1024 * 1024, 1, true);
    this.#entries = new LRUCache<string, string>({ max, maxSize, sizeCalculation: (json) => Buffer.byteLength(json) });
  }

  async get(key: string): Promise<CacheHit | undefined> {
    const json = this.#entries.get(key);
    const ttlMs = Math.ceil(this.#entries.getRemainingTTL(key));
    if (json === undefined || ttlMs <= 0) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return { value: JSON.parse(json) as unknown, ttlMs };
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const ttl = checkTtlMs(ttlMs);
    this.#entries.set(key, encodeCacheValue(value), { ttl });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async deleteByPrefix(prefix: string): Promise<void> {
    // Collect first: deleting while iterating an LRUCache skips entries.
    const doomed = [...this.#entries.keys()].filter((key) => key.startsWith(prefix));
    for (const key of doomed) this.#entries.delete(key);
  }

  stats(): CacheStats {
    return { hits: { l1: this.#hits, l2: 0 }, misses: this.#misses, redisErrors: 0 };
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
