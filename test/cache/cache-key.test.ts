import { describe, expect, it } from "vitest";
import { cacheKey, canonicalJson, tenantKeyPrefix, toolKeyPrefix, type CacheKeyParts } from "../../src/cache/index.js";

const base: CacheKeyParts = { tool: "ledger.query", version: "1", input: { quarter: "Q3", year: 2025 }, scope: "global" };
const SHA256_HEX = /^[0-9a-f]{64}$/;

describe("canonicalJson", () => {
  it("sorts object keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("drops undefined properties as JSON does, and maps undefined itself to the empty string", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson(undefined)).toBe("");
  });

  it("rejects input JSON can't hold with CACHE_KEY_INVALID", () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(expect.objectContaining({ code: "CACHE_KEY_INVALID" }));
  });
});

describe("cacheKey", () => {
  it("lays a key out as tool:scope:version:sha256", () => {
    const [tool, scope, version, hash, ...rest] = cacheKey(base).split(":");
    expect([tool, scope, version, rest]).toEqual(["ledger.query", "global", "1", []]);
    expect(hash).toMatch(SHA256_HEX);
  });

  it("does not depend on the order of object keys, at any depth", () => {
    const one = cacheKey({ ...base, input: { year: 2025, filter: { b: [1, 2], a: "x" }, quarter: "Q3" } });
    const two = cacheKey({ ...base, input: { quarter: "Q3", filter: { a: "x", b: [1, 2] }, year: 2025 } });
    expect(one).toBe(two);
  });

  it("depends on array order, values, tool and version", () => {
    const keys = [
      cacheKey({ ...base, input: [1, 2] }),
      cacheKey({ ...base, input: [2, 1] }),
      cacheKey({ ...base, input: { quarter: "Q4", year: 2025 } }),
      cacheKey({ ...base, input: { quarter: "Q3", year: "2025" } }),
      cacheKey({ ...base, tool: "ledger.other" }),
      cacheKey({ ...base, version: "2" }),
      cacheKey(base),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("never lets two tenants share an entry under tenant scope", () => {
    const a = cacheKey({ ...base, scope: "tenant", tenant: "acme" });
    const b = cacheKey({ ...base, scope: "tenant", tenant: "globex" });
    expect(a).not.toBe(b);
    expect(a).toContain(":tenant=acme:");
  });

  it("shares one entry between tenants under global scope", () => {
    expect(cacheKey({ ...base, tenant: "acme" })).toBe(cacheKey({ ...base, tenant: "globex" }));
  });

  it("keys run scope by run id, and records the tenant when there is one", () => {
    const run1 = cacheKey({ ...base, scope: "run", runId: "run-1", tenant: "acme" });
    const run2 = cacheKey({ ...base, scope: "run", runId: "run-2", tenant: "acme" });
    expect(run1).not.toBe(run2);
    expect(run1).toContain(":tenant=acme:run=run-1:");
    expect(cacheKey({ ...base, scope: "run", runId: "run-1" })).toContain("ledger.query:run=run-1:");
    expect(cacheKey({ ...base, scope: "tenant", tenant: "acme", runId: "ignored" })).not.toContain("run=");
  });

  it("encodes tenant, run id and version, so no name can forge another scope", () => {
    const forged = cacheKey({ ...base, scope: "tenant", tenant: "acme:run=r1" });
    const real = cacheKey({ ...base, scope: "run", tenant: "acme", runId: "r1" });
    expect(forged).not.toBe(real);
    expect(forged.split(":")).toHaveLength(4);
  });

  it("refuses tenant scope without a tenant and run scope without a run id, with CACHE_KEY_INVALID", () => {
    const invalid = expect.objectContaining({ code: "CACHE_KEY_INVALID" });
    expect(() => cacheKey({ ...base, scope: "tenant" })).toThrow(invalid);
    expect(() => cacheKey({ ...base, scope: "tenant", tenant: "" })).toThrow(invalid);
    expect(() => cacheKey({ ...base, scope: "run", tenant: "acme" })).toThrow(invalid);
  });
});

describe("key prefixes", () => {
  const keys = {
    global: cacheKey(base),
    acme: cacheKey({ ...base, scope: "tenant", tenant: "acme" }),
    acmeV2: cacheKey({ ...base, version: "2", scope: "tenant", tenant: "acme" }),
    acmeRun: cacheKey({ ...base, scope: "run", tenant: "acme", runId: "r1" }),
    acmeCorp: cacheKey({ ...base, scope: "tenant", tenant: "acmecorp" }),
    otherTool: cacheKey({ ...base, tool: "ledger.query2", scope: "tenant", tenant: "acme" }),
  };
  const matching = (prefix: string) =>
    Object.entries(keys)
      .filter(([, key]) => key.startsWith(prefix))
      .map(([name]) => name);

  it("toolKeyPrefix covers every scope and version of one tool, and no other tool", () => {
    expect(matching(toolKeyPrefix("ledger.query"))).toEqual(["global", "acme", "acmeV2", "acmeRun", "acmeCorp"]);
  });

  it("tenantKeyPrefix covers a tenant's tenant- and run-scoped entries of every version, nothing else", () => {
    expect(matching(tenantKeyPrefix("ledger.query", "acme"))).toEqual(["acme", "acmeV2", "acmeRun"]);
  });
});
