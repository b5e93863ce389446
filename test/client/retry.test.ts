import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/client/index.js";
import { retryDelay } from "../../src/client/retry.js";

const policy = { retries: 4, baseDelayMs: 100, maxDelayMs: 10_000 };

describe("Retry-After and back-off", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-1", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("waits at least what Retry-After asks, plus at most 10 % jitter, capped", () => {
    expect(retryDelay(policy, 0, 2_000, () => 0)).toBe(2_000);
    expect(retryDelay(policy, 0, 2_000, () => 0.999)).toBeCloseTo(2_199.8);
    expect(retryDelay(policy, 3, 2_000, () => 0.5)).toBe(2_100);
    expect(retryDelay(policy, 0, 3_600_000, () => 0.5)).toBe(10_000);
  });

  it("without Retry-After backs off exponentially with equal jitter, capped", () => {
    expect([0, 1, 2, 3].map((retry) => retryDelay(policy, retry, undefined, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((retry) => retryDelay(policy, retry, undefined, () => 1))).toEqual([100, 200, 400, 800]);
    expect(retryDelay(policy, 20, undefined, () => 1)).toBe(10_000);
  });
});
