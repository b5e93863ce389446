import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createToolCache, MemoryCache, RedisCache, type Cache } from "../../src/cache/index.js";
import { redisCommand, requireRedisServerBinary, startRedisServer, type RedisServer } from "./redis-test-support.js";

const canStartRedis = requireRedisServerBinary("RedisCache outage (redis-outage.test.ts)");
const keyPrefix = "outage-test:";
/** What a caller may wait on a dead or frozen Redis: the 50 ms read / 100 ms write bounds plus slack. */
const BOUND_MS = 200;

/** Runs `call` and records how long it took. */
function stopwatch() {
  const durations: number[] = [];
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const startedAt = performance.now();
    try {
      return await call();
    } finally {
      durations.push(performance.now() - startedAt);
    }
  };
  return { timed, slowestMs: () => Math.max(...durations) };
}

/** Waits until `cache` round-trips through Redis again (ioredis reconnects with a backoff of at most 1 s). */
async function untilWorking(cache: Cache): Promise<void> {
  await vi.waitFor(
    async () => {
      await cache.set("probe", "back", 60_000);
      expect((await cache.get("probe"))?.value).toBe("back");
    },
    { timeout: 5_000, interval: 100 },
  );
}

describe.runIf(canStartRedis)("RedisCache while Redis is slow, dies and comes back", () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server?.kill();
  });

  it("answers within its timeouts while Redis is frozen, as misses, and logs the outage once", async () => {
    const onError = vi.fn();
    const redis = await RedisCache.connect({ url: server.url, keyPrefix, onError });
    const { timed, slowestMs } = stopwatch();
    await redisCommand(server.url, "CLIENT", "PAUSE", 1_000, "ALL");
    for (let index = 0; index < 3; index++) {
      expect(await timed(() => redis.get(`frozen:${index}`))).toBeUndefined();
      await timed(() => redis.set(`frozen:${index}`, index, 60_000));
    }
    expect(slowestMs()).toBeLessThan(BOUND_MS);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: "CACHE_UNAVAILABLE", retryable: true });
    expect(redis.stats().redisErrors).toBe(6);
    await untilWorking(redis);
    await redis.close();
  });

  it("keeps serving from L1 and computing while Redis is dead, then shares again once it restarts", async () => {
    const onError = vi.fn();
    const redis = await RedisCache.connect({ url: server.url, keyPrefix, onError });
    const cache = createToolCache({ l1: new MemoryCache(), l2: redis, lock: redis, waitMs: 100 });
    await cache.getOrCompute("before", 60_000, async () => "cached before the crash");

    await server.kill();
    const { timed, slowestMs } = stopwatch();
    expect(await timed(() => cache.getOrCompute("before", 60_000, async () => "recomputed"))).toEqual({
      value: "cached before the crash",
      source: "hit",
    });
    for (let index = 0; index < 10; index++) {
      const result = await timed(() => cache.getOrCompute(`during:${index}`, 60_000, async () => index));
      expect(result).toEqual({ value: index, source: "computed" });
      expect(await timed(() => redis.get(`absent:${index}`))).toBeUndefined();
      await timed(() => redis.set(`lost:${index}`, index, 60_000));
    }
    expect(slowestMs()).toBeLessThan(BOUND_MS);
    expect(onError).toHaveBeenCalledTimes(1);
    // Per tool call: L2 read, lock, L2 write; plus the direct get and set.
    expect(redis.stats().redisErrors).toBeGreaterThanOrEqual(50);
    expect(cache.stats().redisErrors).toBe(redis.stats().redisErrors);

    await server.restart();
    await untilWorking(redis);
    expect(await redisCommand(server.url, "GET", `${keyPrefix}val:probe`)).toBe('"back"');
    await cache.getOrCompute("after", 60_000, async () => "shared again");
    const otherRedis = await RedisCache.connect({ url: server.url, keyPrefix, onError: () => {} });
    const otherWorker = createToolCache({ l1: new MemoryCache(), l2: otherRedis, lock: otherRedis });
    expect(await otherWorker.getOrCompute("after", 60_000, async () => "not shared")).toEqual({
      value: "shared again",
      source: "hit",
    });
    await Promise.all([cache.close(), otherWorker.close()]);
  });
});
