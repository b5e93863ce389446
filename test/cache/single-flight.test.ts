import { describe, expect, it, vi } from "vitest";
import { singleFlight } from "../../src/cache/index.js";

describe("singleFlight", () => {
  it("shares one run of work among concurrent callers of a key", async () => {
    const flights = singleFlight<number>();
    const work = vi.fn(async () => 42);
    const results = await Promise.all([1, 2, 3].map(() => flights.run("k", work)));
    expect(results).toEqual([42, 42, 42]);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it("frees the key once the run settles, so the next call runs again", async () => {
    const flights = singleFlight<number>();
    const work = vi.fn(async () => 1);
    await flights.run("k", work);
    expect(flights.has("k")).toBe(false);
    await flights.run("k", work);
    expect(work).toHaveBeenCalledTimes(2);
  });

  it("frees the key after a work that throws synchronously, and shares that error", async () => {
    const flights = singleFlight<number>();
    const work = vi.fn((): Promise<number> => {
      throw new Error("boom");
    });
    const calls = [flights.run("k", work), flights.run("k", work)];
    for (const call of calls) await expect(call).rejects.toThrow("boom");
    expect(work).toHaveBeenCalledTimes(1);
    expect(flights.has("k")).toBe(false);
  });
});
