import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Cache } from "../../src/cache/index.js";

/** Values of every JSON kind, falsy ones included: a cache must not mistake `0` or `null` for a miss. */
const VALUES: readonly unknown[] = [
  0,
  -1.5,
  "",
  "生成季度财务报告 ✓",
  true,
  false,
  null,
  [],
  [1, "two", null, { three: 3 }],
  {},
  { nested: { deep: [{ a: 1 }, { b: [true, false] }] }, text: "x" },
];

/**
 * Runs `call` for each item, 100 at a time: a burst of 1,200 calls at once would measure the
 * event loop of a busy test machine against the Redis timeouts, not the cache.
 */
async function inChunks<T, R>(items: readonly T[], call: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += 100) {
    results.push(...(await Promise.all(items.slice(start, start + 100).map(call))));
  }
  return results;
}

const totalHits = (cache: Cache) => cache.stats().hits.l1 + cache.stats().hits.l2;

/**
 * The behaviour every `Cache` adapter owes its callers. `make` returns a fresh, empty cache;
 * each test deletes what it wrote (prefix "") and closes the cache.
 */
export function describeCacheContract(name: string, make: () => Promise<Cache>): void {
  describe(`${name} (Cache contract)`, () => {
    let cache: Cache;

    beforeEach(async () => {
      cache = await make();
    });

    afterEach(async () => {
      await cache.deleteByPrefix("");
      await cache.close();
    });

    it("misses a key that was never set", async () => {
      expect(await cache.get("absent")).toBeUndefined();
    });

    it("returns a value set before, with the TTL it has left", async () => {
      await cache.set("k", { a: 1 }, 10_000);
      const hit = await cache.get("k");
      expect(hit?.value).toEqual({ a: 1 });
      expect(hit?.ttlMs).toBeGreaterThan(9_000);
      expect(hit?.ttlMs).toBeLessThanOrEqual(10_000);
    });

    it("round-trips JSON values of every kind, falsy ones included", async () => {
      await Promise.all(VALUES.map((value, index) => cache.set(`v:${index}`, value, 10_000)));
      for (const [index, value] of VALUES.entries()) {
        expect((await cache.get(`v:${index}`))?.value).toEqual(value);
      }
    });

    it("hands out copies: changing a returned value leaves the entry alone", async () => {
      const original = { list: [1, 2] };
      await cache.set("k", original, 10_000);
      original.list.push(3);
      const first = (await cache.get("k"))?.value as { list: number[] };
      first.list.push(4);
      expect((await cache.get("k"))?.value).toEqual({ list: [1, 2] });
    });

    it("replaces an entry on overwrite, its TTL included", async () => {
      await cache.set("k", "old", 60);
      await cache.set("k", "new", 10_000);
      await sleep(150);
      expect((await cache.get("k"))?.value).toBe("new");
    });

    it("expires an entry after its TTL", async () => {
      await cache.set("short", "gone soon", 60);
      await cache.set("long", "stays", 10_000);
      expect((await cache.get("short"))?.value).toBe("gone soon");
      await sleep(150);
      expect(await cache.get("short")).toBeUndefined();
      expect((await cache.get("long"))?.value).toBe("stays");
    });

    it("rounds a fractional TTL up instead of rejecting it", async () => {
      await cache.set("k", 1, 5_000.5);
      expect((await cache.get("k"))?.value).toBe(1);
    });

    it("deletes one key and ignores a key that is not there", async () => {
      await cache.set("a", 1, 10_000);
      await cache.set("b", 2, 10_000);
      await cache.delete("a");
      await cache.delete("never-set");
      expect(await cache.get("a")).toBeUndefined();
      expect((await cache.get("b"))?.value).toBe(2);
    });

    it("deletes by prefix, and only keys with that prefix", async () => {
      for (const key of ["tool:a:1", "tool:a:2", "tool:ab:1", "other:a:1"]) await cache.set(key, key, 10_000);
      await cache.deleteByPrefix("tool:a:");
      expect(await cache.get("tool:a:1")).toBeUndefined();
      expect(await cache.get("tool:a:2")).toBeUndefined();
      expect((await cache.get("tool:ab:1"))?.value).toBe("tool:ab:1");
      expect((await cache.get("other:a:1"))?.value).toBe("other:a:1");
    });

    it("takes a prefix literally, wildcard characters included", async () => {
      for (const key of ["x*1", "x*2", "xy", "x?", "x[a]", "x\\"]) await cache.set(key, key, 10_000);
      await cache.deleteByPrefix("x*");
      expect(await cache.get("x*1")).toBeUndefined();
      expect(await cache.get("x*2")).toBeUndefined();
      for (const key of ["xy", "x?", "x[a]", "x\\"]) expect((await cache.get(key))?.value).toBe(key);
    });

    it("deletes by prefix more keys than one batch holds", async () => {
      const keys = Array.from({ length: 1_200 }, (_, index) => `many:${index}`);
      await inChunks(keys, (key) => cache.set(key, 1, 10_000));
      expect((await cache.get("many:1199"))?.value).toBe(1);
      await cache.deleteByPrefix("many:");
      const left = await inChunks(keys, (key) => cache.get(key));
      expect(left.filter((hit) => hit !== undefined)).toHaveLength(0);
      expect(cache.stats().redisErrors).toBe(0);
    });

    it("rejects a value without a JSON form with CACHE_VALUE_INVALID", async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const value of [undefined, 10n, () => 1, cyclic]) {
        await expect(cache.set("bad", value, 1_000)).rejects.toMatchObject({ code: "CACHE_VALUE_INVALID" });
      }
      expect(await cache.get("bad")).toBeUndefined();
    });

    it("rejects a TTL that is not a finite number > 0 with CACHE_TTL_INVALID", async () => {
      for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(cache.set("k", 1, ttlMs)).rejects.toMatchObject({ code: "CACHE_TTL_INVALID" });
      }
    });

    it("counts hits and misses, and no Redis errors while all is well", async () => {
      const before = cache.stats();
      await cache.set("k", 1, 10_000);
      await cache.get("k");
      await cache.get("absent");
      expect(totalHits(cache) - (before.hits.l1 + before.hits.l2)).toBe(1);
      expect(cache.stats().misses - before.misses).toBe(1);
      expect(cache.stats().redisErrors).toBe(0);
    });
  });
}
