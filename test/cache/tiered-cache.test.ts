import { afterAll, describe, expect, it } from "vitest";
import { MemoryCache, RedisCache, tieredCache } from "../../src/cache/index.js";
import { describeCacheContract } from "./cache-contract.js";
import { REDIS_URL, removeKeys, requireRedis, uniquePrefix, ROOMY_TIMEOUTS } from "./redis-test-support.js";

const redisUp = await requireRedis("tieredCache over Redis (tiered-cache.test.ts)");
const keyPrefix = uniquePrefix("tiered-cache");
const connectRedis = () => RedisCache.connect({ url: REDIS_URL, keyPrefix, onError: () => {}, ...ROOMY_TIMEOUTS });

afterAll(async () => {
  if (redisUp) await removeKeys(keyPrefix);
});

describeCacheContract("tieredCache(memory, memory)", async () => tieredCache(new MemoryCache(), new MemoryCache()));

describe.runIf(redisUp)("tieredCache over the local Redis", () => {
  describeCacheContract("tieredCache(memory, redis)", async () => tieredCache(new MemoryCache(), await connectRedis()));

  it("serves another process's write from L2, then from its own L1", async () => {
    const writer = tieredCache(new MemoryCache(), await connectRedis());
    const l1 = new MemoryCache();
    const reader = tieredCache(l1, await connectRedis());
    await writer.set("shared", { n: 1 }, 10_000);
    expect((await reader.get("shared"))?.value).toEqual({ n: 1 });
    expect((await l1.get("shared"))?.value).toEqual({ n: 1 });
    expect((await reader.get("shared"))?.value).toEqual({ n: 1 });
    expect(reader.stats().hits).toEqual({ l1: 1, l2: 1 });
    await Promise.all([writer.close(), reader.close()]);
  });
});

describe("tieredCache", () => {
  it("writes an L2 hit back to L1 with the TTL it has left, not a fresh one", async () => {
    const l1 = new MemoryCache();
    const l2 = new MemoryCache();
    const cache = tieredCache(l1, l2);
    await l2.set("k", "from l2", 300);
    const hit = await cache.get("k");
    expect(hit?.value).toBe("from l2");
    expect((await l1.get("k"))?.ttlMs).toBeLessThanOrEqual(300);
    expect(cache.stats().hits).toEqual({ l1: 0, l2: 1 });
  });

  it("writes to both levels and deletes from both", async () => {
    const l1 = new MemoryCache();
    const l2 = new MemoryCache();
    const cache = tieredCache(l1, l2);
    await cache.set("a:1", 1, 10_000);
    await cache.set("b:1", 2, 10_000);
    expect((await l1.get("a:1"))?.value).toBe(1);
    expect((await l2.get("a:1"))?.value).toBe(1);
    await cache.delete("a:1");
    await cache.deleteByPrefix("b:");
    for (const level of [l1, l2]) {
      expect(await level.get("a:1")).toBeUndefined();
      expect(await level.get("b:1")).toBeUndefined();
    }
  });

  it("counts a hit by the level that served it, and a miss only when both miss", async () => {
    const l1 = new MemoryCache();
    const l2 = new MemoryCache();
    const cache = tieredCache(l1, l2);
    await l1.set("near", 1, 10_000);
    await l2.set("far", 2, 10_000);
    await cache.get("near");
    await cache.get("far");
    await cache.get("nowhere");
    expect(cache.stats()).toEqual({ hits: { l1: 1, l2: 1 }, misses: 1, redisErrors: 0 });
  });
});
