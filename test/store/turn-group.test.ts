import { describe, expect, it } from "vitest";
import { TurnGroup } from "../../src/store/sqlite/turn-group.js";

describe("TurnGroup", () => {
  it("commits the calls of one turn together and settles each with its own outcome", async () => {
    const groups: number[][] = [];
    const group = new TurnGroup<number, number>((items) => {
      groups.push([...items]);
      return items.map((n) => (n % 2 === 0 ? { ok: true, value: n * 10 } : { ok: false, error: new Error(`odd ${n}`) }));
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => group.add(n)));
    expect(groups).toEqual([[1, 2, 3, 4]]);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual(["odd 1", 20, "odd 3", 40]);
    await group.add(6);
    expect(groups).toEqual([[1, 2, 3, 4], [6]]);
  });

  it("fails every call of a group whose commit fails, and goes on with the next group", async () => {
    let fail = true;
    const group = new TurnGroup<string, string>((items) => {
      if (fail) throw new Error("disk full");
      return items.map((value) => ({ ok: true, value }));
    });
    const first = await Promise.allSettled(["a", "b"].map((s) => group.add(s)));
    expect(first.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await expect(group.add("c")).resolves.toBe("c");
  });

  it("splits a long turn into groups of at most maxGroup, and flush commits what waits at once", async () => {
    const sizes: number[] = [];
    const group = new TurnGroup<number, number>((items) => {
      sizes.push(items.length);
      return items.map((value) => ({ ok: true, value }));
    }, 3);
    const pending = [1, 2, 3, 4, 5, 6, 7].map((n) => group.add(n));
    group.flush();
    expect(sizes).toEqual([3, 3, 1]);
    expect(await Promise.all(pending)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
