import { describe, expect, it } from "vitest";
import { fairOrder } from "../../src/store/fair-order.js";

const run = (id: string, tenant: string, priority = 5, due = 0) => ({ id, tenant, priority, due });
const ids = (runs: readonly { id: string }[]) => runs.map((r) => r.id);

describe("fairOrder", () => {
  it("takes a tenant's runs by priority, then by due time, then by id", () => {
    const line = [run("c", "a", 5, 1), run("b", "a", 9, 3), run("a", "a", 5, 1), run("d", "a", 0, 0)];
    expect(ids(fairOrder(line, new Map(), 10))).toEqual(["b", "a", "c", "d"]);
  });

  it("serves the tenant holding fewer runs first, whatever its priority or age", () => {
    const candidates = [run("a1", "a", 9, 0), run("a2", "a", 9, 1), run("b1", "b", 0, 100)];
    expect(ids(fairOrder(candidates, new Map([["a", 3]]), 2))).toEqual(["b1", "a1"]);
  });

  it("alternates tenants holding as many runs, the higher priority first at each turn", () => {
    const candidates = [run("a1", "a", 1, 0), run("a2", "a", 1, 1), run("b1", "b", 7, 5), run("b2", "b", 7, 6)];
    expect(ids(fairOrder(candidates, new Map(), 4))).toEqual(["b1", "a1", "b2", "a2"]);
  });

  it("gives at most `limit` runs, and none from none", () => {
    expect(fairOrder([run("a1", "a"), run("b1", "b")], new Map(), 1)).toHaveLength(1);
    expect(fairOrder([], new Map([["a", 1]]), 5)).toEqual([]);
  });

  it("with maxHeld, leaves a tenant's runs that would make it hold more waiting; 0 means no limit", () => {
    const candidates = [run("a1", "a"), run("a2", "a"), run("a3", "a"), run("b1", "b", 0, 9)];
    expect(ids(fairOrder(candidates, new Map([["a", 1]]), 10, 2))).toEqual(["b1", "a1"]);
    expect(ids(fairOrder(candidates, new Map([["a", 2]]), 10, 2))).toEqual(["b1"]);
    expect(ids(fairOrder(candidates, new Map([["a", 2]]), 10, 0))).toEqual(["b1", "a1", "a2", "a3"]);
  });
});
