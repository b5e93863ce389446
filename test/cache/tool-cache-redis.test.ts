import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createToolCache, MemoryCache, RedisCache, type ToolCache, type ToolCacheOptions } from "../../src/cache/index.js";
import { REDIS_URL, redisCommand, removeKeys, requireRedis, uniquePrefix, ROOMY_TIMEOUTS } from "./redis-test-support.js";

const redisUp = await requireRedis("createToolCache across processes (tool-cache-redis.test.ts)");
const keyPrefix = uniquePrefix("tool-cache-redis");
const open: ToolCache[] = [];

/** One simulated worker: its own L1 and its own Redis connection, used as both L2 and lock. */
async function worker(options: Partial<ToolCacheOptions> = {}): Promise<{ cache: ToolCache; l1: MemoryCache }> {
  const l1 = new MemoryCache();
  const redis = await RedisCache.connect({ url: REDIS_URL, keyPrefix, onError: () => {}, ...ROOMY_TIMEOUTS });
  const cache = createToolCache({ l1, l2: redis, lock: redis, ...options });
  open.push(cache);
  return { cache, l1 };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((cache) => cache.close()));
  if (redisUp) await removeKeys(keyPrefix);
});

describe.runIf(redisUp)("createToolCache single-flight across processes", () => {
  it("runs compute once for concurrent calls on two workers", async () => {
    const [a, b] = await Promise.all([worker(), worker()]);
    const compute = vi.fn(async () => {
      await sleep(100);
      return { report: "Q3" };
    });
    const calls = Array.from({ length: 40 }, (_, index) =>
      (index % 2 === 0 ? a : b).cache.getOrCompute("shared", 10_000, compute),
    );
    const results = await Promise.all(calls);
    expect(compute).toHaveBeenCalledTimes(1);
    expect(results.every((result) => (result.value as { report: string }).report === "Q3")).toBe(true);
    expect(a.cache.stats().computed + b.cache.stats().computed).toBe(1);
  });

  it("copies a value found in the other worker's L2 into its own L1", async () => {
    const [a, b] = await Promise.all([worker(), worker()]);
    await a.cache.getOrCompute("k", 10_000, async () => "from a");
    expect(await b.cache.getOrCompute("k", 10_000, async () => "from b")).toEqual({ value: "from a", source: "hit" });
    expect(await b.l1.get("k")).toMatchObject({ value: { value: "from a" } });
    expect(b.cache.stats().hits).toEqual({ l1: 0, l2: 1 });
  });

  it("lets a waiter take over as soon as the holder's compute fails, long before waitMs", async () => {
    const [a, b] = await Promise.all([worker({ waitMs: 5_000 }), worker({ waitMs: 5_000 })]);
    const holding = a.cache.getOrCompute("k", 10_000, async () => {
      await sleep(100);
      throw new Error("holder failed");
    });
    const holderFailure = expect(holding).rejects.toThrow("holder failed");
    await sleep(20);
    const startedAt = performance.now();
    const waiter = await b.cache.getOrCompute("k", 10_000, async () => "from b");
    await holderFailure;
    expect(waiter).toEqual({ value: "from b", source: "computed" });
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });

  it("computes itself after waitMs when the lock holder never delivers", async () => {
    const { cache } = await worker({ waitMs: 150, pollMs: 10 });
    // A holder that crashed mid-compute: its lock stays until its TTL runs out.
    await redisCommand(REDIS_URL, "SET", `${keyPrefix}lock:stuck`, "crashed-worker", "PX", 60_000);
    const startedAt = performance.now();
    expect(await cache.getOrCompute("stuck", 10_000, async () => "computed anyway")).toEqual({
      value: "computed anyway",
      source: "computed",
    });
    const elapsedMs = performance.now() - startedAt;
    expect(elapsedMs).toBeGreaterThanOrEqual(140);
    expect(elapsedMs).toBeLessThan(1_000);
  });

  it("releases its lock after computing, so nothing is left behind", async () => {
    const { cache } = await worker();
    await cache.getOrCompute("released", 10_000, async () => 1);
    expect(await redisCommand(REDIS_URL, "EXISTS", `${keyPrefix}lock:released`)).toBe(0);
  });
});
