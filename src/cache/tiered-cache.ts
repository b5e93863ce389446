import type { Cache, CacheHit, CacheStats } from "./cache.js";

/**
 * Two caches read through in order: `l1` (in-process, fast) then `l2` (shared). An L2 hit is
 * copied into L1 with the TTL it has left, so both expire together; `set` and deletions go to
 * both. `stats()` counts hits by the level that served them. Errors are those of the levels.
 *
 * Deleting only reaches this process's L1: other processes keep their L1 copy until it expires,
 * so keep TTLs short where invalidation must be prompt.
 * @example const cache = tieredCache(new MemoryCache(), await RedisCache.connect({ url, onError }));
 */
export function tieredCache(l1: Cache, l2: Cache): Cache {
  return new TieredCache(l1, l2);
}

class TieredCache implements Cache {
  readonly #l1: Cache;
  readonly #l2: Cache;
  #l1Hits = 0;
  #l2Hits = 0;
  #misses = 0;

  constructor(l1: Cache, l2: Cache) {
    this.#l1 = l1;
    this.#l2 = l2;
  }

  async get(key: string): Promise<CacheHit | undefined> {
    const near = await this.#l1.get(key);
    if (near) {
      this.#l1Hits++;
      return near;
    }
    const far = await this.#l2.get(key);
    if (!far) {
      this.#misses++;
      return undefined;
    }
    this.#l2Hits++;
    await this.#l1.set(key, far.value, far.ttlMs);
    return far;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    await Promise.all([this.#l1.set(key, value, ttlMs), this.#l2.set(key, value, ttlMs)]);
  }

  async delete(key: string): Promise<void> {
    await Promise.all([this.#l1.delete(key), this.#l2.delete(key)]);
  }

  async deleteByPrefix(prefix: string): Promise<void> {
    await Promise.all([this.#l1.deleteByPrefix(prefix), this.#l2.deleteByPrefix(prefix)]);
  }

  stats(): CacheStats {
    const redisErrors = this.#l1.stats().redisErrors + this.#l2.stats().redisErrors;
    return { hits: { l1: this.#l1Hits, l2: this.#l2Hits }, misses: this.#misses, redisErrors };
  }

  async close(): Promise<void> {
    await Promise.all([this.#l1.close(), this.#l2.close()]);
  }
}
