import { describe, expect, it } from "vitest";
import { newRunId, RUN_ID_PATTERN } from "../../src/core/index.js";

describe("newRunId", () => {
  it("gives distinct ids in the documented shape across many random blocks", () => {
    const ids = Array.from({ length: 5_000 }, () => newRunId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(RUN_ID_PATTERN);
  });

  it("sorts by creation time", () => {
    const ids = [3, 1, 2].map((n) => newRunId(1_700_000_000_000 + n * 1_000));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });
});

describe("newRunId without an explicit time", () => {
  it("strictly increases, even for ids made in the same millisecond", () => {
    const ids = Array.from({ length: 2_000 }, () => newRunId());
    for (let i = 1; i < ids.length; i++) expect((ids[i] as string) > (ids[i - 1] as string), `${ids[i - 1]} then ${ids[i]}`).toBe(true);
  });
});
