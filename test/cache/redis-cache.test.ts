import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it, vi } from "vitest";
import { RedisCache } from "../../src/cache/index.js";
import { describeCacheContract } from "./cache-contract.js";
import { REDIS_URL, redisCommand, removeKeys, requireRedis, uniquePrefix, ROOMY_TIMEOUTS } from "./redis-test-support.js";

const redisUp = await requireRedis("RedisCache (redis-cache.test.ts)");
const keyPrefix = uniquePrefix("redis-cache");
const connect = () => RedisCache.connect({ url: REDIS_URL, keyPrefix, onError: () => {}, ...ROOMY_TIMEOUTS });

afterAll(async () => {
  if (redisUp) await removeKeys(keyPrefix);
});

describe.runIf(redisUp)("RedisCache on the local Redis", () => {
  describeCacheContract("RedisCache", connect);

  it("stores values under <keyPrefix>val: with a PX TTL", async () => {
    const cache = await connect();
    await cache.set("tool:k", { a: 1 }, 5_000);
    const raw = await redisCommand(REDIS_URL, "GET", `${keyPrefix}val:tool:k`);
    const pttl = await redisCommand(REDIS_URL, "PTTL", `${keyPrefix}val:tool:k`);
    expect(raw).toBe('{"a":1}');
    expect(pttl).toBeGreaterThan(4_000);
    await cache.close();
  });

  it("leaves keys outside its prefix alone when deleting by the empty prefix", async () => {
    const mine = await connect();
    const neighbour = await RedisCache.connect({ url: REDIS_URL, keyPrefix: `${keyPrefix}other:`, onError: () => {} });
    await neighbour.set("k", "theirs", 10_000);
    await mine.set("k", "mine", 10_000);
    await mine.deleteByPrefix("");
    expect(await mine.get("k")).toBeUndefined();
    expect((await neighbour.get("k"))?.value).toBe("theirs");
    await Promise.all([mine.close(), neighbour.close()]);
  });

  it("gives a lock to one holder at a time and frees it only for the owner's token", async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const first = await a.acquire("job", 5_000);
    expect(first.status).toBe("acquired");
    expect(await b.acquire("job", 5_000)).toEqual({ status: "held" });
    await b.release("job", "not-the-token");
    expect(await b.acquire("job", 5_000)).toEqual({ status: "held" });
    if (first.status === "acquired") await a.release("job", first.token);
    expect((await b.acquire("job", 5_000)).status).toBe("acquired");
    await Promise.all([a.close(), b.close()]);
  });

  it("lets a lock expire after its TTL, so a crashed holder blocks nobody for long", async () => {
    const cache = await connect();
    expect((await cache.acquire("crashed", 60)).status).toBe("acquired");
    await sleep(150);
    expect((await cache.acquire("crashed", 60)).status).toBe("acquired");
    await cache.close();
  });

  it("reports lock calls as unavailable, and get as a miss, after the connection is closed", async () => {
    const onError = vi.fn();
    const cache = await RedisCache.connect({ url: REDIS_URL, keyPrefix, onError });
    await cache.close();
    expect(await cache.acquire("k", 1_000)).toEqual({ status: "unavailable" });
    expect(await cache.get("k")).toBeUndefined();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(cache.stats().redisErrors).toBe(2);
  });
});

describe("RedisCache.connect", () => {
  it("fails with CACHE_UNAVAILABLE within connectTimeoutMs when nothing listens", async () => {
    const startedAt = performance.now();
    const connecting = RedisCache.connect({ url: "redis://127.0.0.1:1", connectTimeoutMs: 200, onError: () => {} });
    await expect(connecting).rejects.toMatchObject({ code: "CACHE_UNAVAILABLE", retryable: true });
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });

  it("refuses a URL that is not redis:// or rediss:// with INVALID_OPTIONS, without leaking a password", async () => {
    await expect(RedisCache.connect({ url: "not a url", onError: () => {} })).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
    });
    const wrongScheme = RedisCache.connect({ url: "http://user:secret@host:6379", onError: () => {} });
    await expect(wrongScheme).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
    await expect(wrongScheme).rejects.not.toThrow(/secret/);
  });

  it("refuses timeouts that are not positive numbers with INVALID_OPTIONS", async () => {
    const options = { url: REDIS_URL, onError: () => {} };
    for (const bad of [{ readTimeoutMs: 0 }, { writeTimeoutMs: -5 }, { connectTimeoutMs: Number.NaN }]) {
      await expect(RedisCache.connect({ ...options, ...bad })).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
    }
  });
});
