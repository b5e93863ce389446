import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalHash, canonicalJson } from "../../src/core/index.js";

/** The form every stored hash was taken over: JSON.stringify with a replacer rebuilding each object with its keys sorted. */
function reference(value: unknown): string {
  const sortKeys = (_key: string, v: unknown): unknown => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const record = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
  };
  return JSON.stringify(value, sortKeys) ?? "";
}

const outcome = (f: () => string): string => {
  try {
    return f();
  } catch (error) {
    return `threw ${(error as Error).name}`;
  }
};

/** Keys that sort and order in surprising ways: array indices, near-indices, prototype names, any text. */
const key = fc.oneof(
  fc.string(),
  fc.constantFrom("0", "1", "2", "9", "10", "01", "-1", "1.5", "4294967294", "4294967295", "4294967296", "99999999999", "__proto__", "toJSON", "constructor", "", "é", "Z", "a", "𝟘"),
  fc.nat().map(String),
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, undefined, true, false, 0, -0, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY, -1.5, Number.MAX_SAFE_INTEGER),
    fc.double(),
    fc.integer(),
    fc.string({ unit: "binary" }),
    fc.date({ noInvalidDate: true }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(key, tie("value"), { maxKeys: 6 }),
    fc.object({ key, maxDepth: 2, withBoxedValues: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withMap: true, withSet: true }),
    tie("value").map((inner) => ({ toJSON: () => inner })),
    tie("value").map((inner) => ({ toJSON: "not a function", inner })),
    fc.constant(() => 1),
    fc.constant(Symbol("s")),
  ),
}));

describe("canonicalJson", () => {
  it("gives byte for byte the text every stored hash was taken over, for any value", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(outcome(() => canonicalJson(v))).toBe(outcome(() => reference(v)));
      }),
      { numRuns: 5_000 },
    );
  });

  it("orders array-index keys first and numerically, the rest sorted, as stored hashes have them", () => {
    expect(canonicalJson({ b: 1, 10: "ten", a: 2, 9: "nine", "01": 3, 4294967295: "big" })).toBe('{"9":"nine","10":"ten","01":3,"4294967295":"big","a":2,"b":1}');
    expect(canonicalJson({ z: [{ y: 1, x: undefined, w: () => 0 }, undefined], when: new Date(Date.UTC(2026, 0, 1)) })).toBe('{"when":"2026-01-01T00:00:00.000Z","z":[{"y":1},null]}');
  });

  it("keeps an audit entry's hash as chains already hold it", () => {
    // Taken with the replacer form before this implementation: a stored chain must still verify.
    const body = { seq: 1, at: "2026-01-01T00:00:00.000Z", action: "task.submitted", actor: "alice", tenant: "acme", target: "run-1", details: { description: "生成季度财务报告", priority: 5 } };
    expect(canonicalHash(body)).toBe("d2f082d35b67911ac53b27d5c5a767935afdb12a49bfa78337c9cedc55596774");
  });

  it("refuses what JSON cannot hold: a bigint and a cycle", () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    expect(() => canonicalJson(cycle)).toThrow(TypeError);
    expect(canonicalJson(undefined)).toBe("");
  });
});
