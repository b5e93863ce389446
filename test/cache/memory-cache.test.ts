import { describe, expect, it } from "vitest";
import { MemoryCache } from "../../src/cache/index.js";
import { describeCacheContract } from "./cache-contract.js";

describeCacheContract("MemoryCache", async () => new MemoryCache());

describe("MemoryCache bounds", () => {
  it("evicts the least recently used entries once the byte bound is reached", async () => {
    // Each value is 12 bytes of JSON ("\"xxxxxxxxxx\""); 40 bytes hold three of them.
    const cache = new MemoryCache({ maxBytes: 40 });
    await cache.set("a", "a".repeat(10), 10_000);
    await cache.set("b", "b".repeat(10), 10_000);
    await cache.set("c", "c".repeat(10), 10_000);
    await cache.get("a"); // a is now more recent than b
    await cache.set("d", "d".repeat(10), 10_000);
    expect(await cache.get("b")).toBeUndefined();
    expect((await cache.get("a"))?.value).toBe("a".repeat(10));
    expect((await cache.get("c"))?.value).toBe("c".repeat(10));
    expect((await cache.get("d"))?.value).toBe("d".repeat(10));
  });

  it("counts bytes, not characters, for the byte bound", async () => {
    const cache = new MemoryCache({ maxBytes: 20 });
    await cache.set("ascii", "x".repeat(10), 10_000); // 12 bytes
    await cache.set("wide", "季".repeat(3), 10_000); // 11 bytes: 5 characters of JSON, but 9 + 2 bytes
    expect(await cache.get("ascii")).toBeUndefined();
    expect((await cache.get("wide"))?.value).toBe("季季季");
  });

  it("evicts the least recently used entry once the entry bound is reached", async () => {
    const cache = new MemoryCache({ maxEntries: 2 });
    await cache.set("a", 1, 10_000);
    await cache.set("b", 2, 10_000);
    await cache.set("c", 3, 10_000);
    expect(await cache.get("a")).toBeUndefined();
    expect((await cache.get("b"))?.value).toBe(2);
    expect((await cache.get("c"))?.value).toBe(3);
  });

  it("does not keep a value larger than the byte bound, nor the one it replaced", async () => {
    const cache = new MemoryCache({ maxBytes: 10 });
    await cache.set("k", "ok", 10_000);
    await cache.set("k", "far too long for ten bytes", 10_000);
    expect(await cache.get("k")).toBeUndefined();
  });

  it("refuses bounds that are not whole numbers >= 1 with INVALID_OPTIONS", () => {
    for (const options of [{ maxEntries: 0 }, { maxEntries: 1.5 }, { maxBytes: -1 }, { maxBytes: Number.NaN }]) {
      expect(() => new MemoryCache(options)).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS" }));
    }
  });
});
