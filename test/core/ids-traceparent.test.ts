import { describe, expect, it } from "vitest";
import { newTraceparent, TRACEPARENT } from "../../src/core/index.js";

describe("newTraceparent", () => {
  it("gives valid, sampled W3C trace contexts, a different trace and span each time, past a block of drawn bytes", () => {
    const made = Array.from({ length: 1_000 }, () => newTraceparent());
    for (const t of made) {
      expect(t).toMatch(TRACEPARENT);
      expect(t).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    }
    expect(new Set(made.map((t) => t.slice(3, 35))).size).toBe(1_000);
    expect(new Set(made.map((t) => t.slice(36, 52))).size).toBe(1_000);
  });
});
