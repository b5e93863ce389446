import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { cacheKey, createToolCache, MemoryCache, type CacheKeyParts, type ToolCache } from "../../src/cache/index.js";
import { CancelledError, CsAgentsError } from "../../src/core/index.js";

const memoryToolCache = () => createToolCache({ l1: new MemoryCache() });

/** A compute that counts its runs and finishes after `delayMs`. */
function counted<T>(result: () => T, delayMs = 10) {
  const compute = vi.fn(async () => {
    await sleep(delayMs);
    return result();
  });
  return compute;
}

describe("createToolCache single-flight in one process", () => {
  it("runs compute once for 1,000 concurrent identical calls", async () => {
    const cache = memoryToolCache();
    const compute = counted(() => ({ total: 42 }));
    const results = await Promise.all(Array.from({ length: 1_000 }, () => cache.getOrCompute("k", 10_000, compute)));
    expect(compute).toHaveBeenCalledTimes(1);
    expect(results.every((result) => (result.value as { total: number }).total === 42)).toBe(true);
    expect(results.filter((result) => result.source === "computed")).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ computed: 1, joined: 999 });
  });

  it("gives each joined caller its own copy of the value", async () => {
    const cache = memoryToolCache();
    const compute = counted(() => ({ list: [1] }));
    const [first, second, third] = await Promise.all([1, 2, 3].map(() => cache.getOrCompute("k", 10_000, compute)));
    (second?.value as { list: number[] }).list.push(2);
    expect(first?.value).toEqual({ list: [1] });
    expect(third?.value).toEqual({ list: [1] });
  });

  it("gives the computing caller the value in the JSON form a later hit returns", async () => {
    const cache = memoryToolCache();
    const compute = async () => ({ at: new Date(0), dropped: undefined });
    const first = await cache.getOrCompute("k", 10_000, compute);
    const second = await cache.getOrCompute("k", 10_000, compute);
    expect(first).toEqual({ value: { at: "1970-01-01T00:00:00.000Z" }, source: "computed" });
    expect(second).toEqual({ value: first.value, source: "hit" });
  });

  it("serves a later call from the cache without computing", async () => {
    const cache = memoryToolCache();
    const compute = counted(() => "v");
    await cache.getOrCompute("k", 10_000, compute);
    expect(await cache.getOrCompute("k", 10_000, compute)).toEqual({ value: "v", source: "hit" });
    expect(compute).toHaveBeenCalledTimes(1);
    expect(cache.stats()).toMatchObject({ hits: { l1: 1, l2: 0 }, computed: 1, joined: 0 });
  });

  it("computes separately for different keys", async () => {
    const cache = memoryToolCache();
    const compute = counted(() => "v");
    await Promise.all(["a", "b", "c"].map((key) => cache.getOrCompute(key, 10_000, compute)));
    expect(compute).toHaveBeenCalledTimes(3);
  });

  it("does not cache a failure: the next call computes again", async () => {
    const cache = memoryToolCache();
    const failing = vi.fn(async () => {
      throw new CsAgentsError("LEDGER_MISSING", "no ledger for Q5");
    });
    await expect(cache.getOrCompute("k", 10_000, failing)).rejects.toMatchObject({ code: "LEDGER_MISSING" });
    expect(await cache.getOrCompute("k", 10_000, async () => "recovered")).toEqual({ value: "recovered", source: "computed" });
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it("shares one failure with every call that joined it", async () => {
    const cache = memoryToolCache();
    const failing = vi.fn(async () => {
      await sleep(10);
      throw new Error("upstream down");
    });
    const calls = [1, 2, 3].map(() => cache.getOrCompute("k", 10_000, failing));
    for (const call of calls) await expect(call).rejects.toThrow("upstream down");
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it("caches a lasting failure when asked, and replays its code and message", async () => {
    const cache = memoryToolCache();
    const failing = vi.fn(async () => {
      throw new CsAgentsError("LEDGER_MISSING", "no ledger for Q5");
    });
    const options = { cacheFailures: true };
    await expect(cache.getOrCompute("k", 10_000, failing, options)).rejects.toThrow("no ledger for Q5");
    await expect(cache.getOrCompute("k", 10_000, failing, options)).rejects.toMatchObject({
      code: "LEDGER_MISSING",
      message: "no ledger for Q5",
    });
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it("never caches a retryable failure or a cancellation, even when asked", async () => {
    const cache = memoryToolCache();
    const errors = [new CsAgentsError("TOOL_TIMEOUT", "slow", { retryable: true }), new CancelledError()];
    for (const [index, error] of errors.entries()) {
      const key = `k${index}`;
      await expect(cache.getOrCompute(key, 10_000, () => Promise.reject(error), { cacheFailures: true })).rejects.toBe(error);
      expect(await cache.getOrCompute(key, 10_000, async () => "ok")).toMatchObject({ source: "computed" });
    }
  });

  it("rejects a bad TTL with CACHE_TTL_INVALID before computing", async () => {
    const cache = memoryToolCache();
    const compute = counted(() => 1);
    await expect(cache.getOrCompute("k", 0, compute)).rejects.toMatchObject({ code: "CACHE_TTL_INVALID" });
    expect(compute).not.toHaveBeenCalled();
  });

  it("rejects with CACHE_VALUE_INVALID when the computed value has no JSON form", async () => {
    const cache = memoryToolCache();
    for (const value of [1n, undefined]) {
      await expect(cache.getOrCompute("k", 1_000, async () => value)).rejects.toMatchObject({ code: "CACHE_VALUE_INVALID" });
    }
  });

  it("refuses a lock without an l2, and durations out of range, with INVALID_OPTIONS", () => {
    const l1 = new MemoryCache();
    const lock = { acquire: async () => ({ status: "held" as const }), release: async () => {} };
    const invalid = expect.objectContaining({ code: "INVALID_OPTIONS" });
    expect(() => createToolCache({ l1, lock })).toThrow(invalid);
    expect(() => createToolCache({ l1, lockMs: 0 })).toThrow(invalid);
    expect(() => createToolCache({ l1, waitMs: -1 })).toThrow(invalid);
    expect(() => createToolCache({ l1, pollMs: 0 })).toThrow(invalid);
  });
});

describe("createToolCache scopes and invalidation", () => {
  const call: CacheKeyParts = { tool: "ledger.query", version: "1", input: { quarter: "Q3" }, scope: "tenant" };
  const read = (cache: ToolCache, parts: CacheKeyParts) => cache.getOrCompute(cacheKey(parts), 10_000, async () => parts.tenant ?? "global");

  it("keeps tenants apart under tenant scope and shares under global scope", async () => {
    const cache = memoryToolCache();
    expect(await read(cache, { ...call, tenant: "acme" })).toEqual({ value: "acme", source: "computed" });
    expect(await read(cache, { ...call, tenant: "globex" })).toEqual({ value: "globex", source: "computed" });
    expect(await read(cache, { ...call, scope: "global", tenant: "acme" })).toEqual({ value: "acme", source: "computed" });
    expect(await read(cache, { ...call, scope: "global", tenant: "globex" })).toEqual({ value: "acme", source: "hit" });
  });

  it("keeps runs apart under run scope", async () => {
    const cache = memoryToolCache();
    const parts = { ...call, scope: "run" as const, tenant: "acme" };
    await read(cache, { ...parts, runId: "r1" });
    expect((await read(cache, { ...parts, runId: "r2" })).source).toBe("computed");
    expect((await read(cache, { ...parts, runId: "r1" })).source).toBe("hit");
  });

  it("invalidates one key, one tool, or one tenant's entries", async () => {
    const cache = memoryToolCache();
    const entries: CacheKeyParts[] = [
      { ...call, tenant: "acme" },
      { ...call, tenant: "globex" },
      { ...call, tool: "fx.rate", tenant: "acme" },
      { ...call, tool: "fx.rate", scope: "global" },
    ];
    const sources = async () => Promise.all(entries.map(async (parts) => (await read(cache, parts)).source));
    await sources();
    await cache.invalidateTenant("acme", ["ledger.query", "fx.rate"]);
    expect(await sources()).toEqual(["computed", "hit", "computed", "hit"]);
    await cache.invalidateTool("fx.rate");
    expect(await sources()).toEqual(["hit", "hit", "computed", "computed"]);
    await cache.invalidate(cacheKey({ ...call, tenant: "globex" }));
    expect(await sources()).toEqual(["hit", "computed", "hit", "hit"]);
  });
});
