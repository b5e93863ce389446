import { describe, expect, it } from "vitest";
import { GroupCommit, type GroupEntry } from "../../src/store/postgres/group-commit.js";

interface Entry extends GroupEntry {
  readonly id: string;
}

/** A GroupCommit whose writes take `ms` and are logged; ids starting with "bad" fail their group. */
function harness(options: { inFlight?: number; maxGroup?: number; ms?: number } = {}) {
  const groups: string[][] = [];
  const commit = new GroupCommit<Entry>(
    async (group) => {
      groups.push(group.map((e) => e.id));
      await new Promise((resolve) => setTimeout(resolve, options.ms ?? 5));
      if (group.some((e) => e.id.startsWith("bad"))) throw new Error("the database went away");
      for (const entry of group) entry.resolve();
    },
    options,
  );
  const add = (id: string, keys: string[] = [id]) => new Promise<void>((resolve, reject) => commit.add({ id, keys, resolve, reject }));
  return { groups, add };
}

describe("GroupCommit", () => {
  it("sends a lone writer at once, one write per group", async () => {
    const h = harness();
    for (const id of ["a", "b", "c"]) await h.add(id);
    expect(h.groups).toEqual([["a"], ["b"], ["c"]]);
  });

  it("groups the writes that arrive while earlier ones are in flight", async () => {
    const h = harness({ inFlight: 1 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => h.add(`w${i}`)));
    expect(h.groups).toEqual([["w0"], ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9"]]);
  });

  it("keeps two groups in flight, and caps a group at maxGroup", async () => {
    const h = harness({ inFlight: 2, maxGroup: 3 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => h.add(`w${i}`)));
    expect(h.groups).toEqual([["w0"], ["w1"], ["w2", "w3", "w4"], ["w5", "w6", "w7"]]);
  });

  it("puts a write of a key already in the group into the next group", async () => {
    const h = harness({ inFlight: 1 });
    await Promise.all([h.add("first"), h.add("x1", ["run1/a"]), h.add("x2", ["run1/a"]), h.add("y", ["run2/a"])]);
    expect(h.groups).toEqual([["first"], ["x1", "y"], ["x2"]]);
  });

  it("fails every write of a failed group and no other", async () => {
    const h = harness({ inFlight: 1 });
    const results = await Promise.allSettled([h.add("ok0"), h.add("bad"), h.add("ok1")]);
    expect(h.groups).toEqual([["ok0"], ["bad", "ok1"]]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    await h.add("ok2");
    expect(h.groups.at(-1)).toEqual(["ok2"]);
  });
});
