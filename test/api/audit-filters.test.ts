import { afterEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import { AUDIT_SCAN_LIMIT } from "../../src/api/service-handlers.js";
import type { ServiceStore } from "../../src/store/index.js";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function get(url: string, tenant = "acme") {
  return t!.api.app.inject({ method: "GET", url, headers: bearer(await token({ tenant })) });
}

async function list(query: string, tenant = "acme") {
  const res = await get(`/v1/audit?${query}`, tenant);
  expect(res.statusCode).toBe(200);
  return schemas.AuditListSchema.parse(res.json());
}

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));

/** Entry n (1…count) of acme at minute n: actor alice or bob, action and target in turn; globex has the same. */
async function seed(store: ServiceStore, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) {
    for (const tenant of ["acme", "globex"]) {
      await store.appendAudit({ tenant, actor: n % 2 === 0 ? "alice" : "bob", action: n % 3 === 0 ? "task.cancelled" : "task.submitted", target: `run-${n % 5}`, at: at(n) });
    }
  }
}

describe("GET /v1/audit with filters", () => {
  it("filters by actor, action, target and time range, within the caller's tenant only", async () => {
    t = await makeApi();
    await seed(t.store, 30);
    const byActor = await list("actor=alice");
    expect(byActor.items).toHaveLength(15);
    expect(byActor.items.every((e) => e.actor === "alice" && e.tenant === "acme")).toBe(true);
    expect(byActor.nextAfter).toBeNull();

    const both = await list("actor=bob&action=task.cancelled");
    expect(both.items.map((e) => Date.parse(e.at))).toEqual([3, 9, 15, 21, 27].map((n) => at(n).getTime()));

    const target = await list("target=run-2");
    expect(target.items.map((e) => e.target)).toEqual(["run-2", "run-2", "run-2", "run-2", "run-2", "run-2"]);

    // From is inclusive, to exclusive.
    const range = await list(`from=${at(10).toISOString()}&to=${encodeURIComponent("2026-01-01T10:15:00+01:00")}`);
    expect(range.items.map((e) => Date.parse(e.at))).toEqual([10, 11, 12, 13, 14].map((n) => at(n).getTime()));

    expect((await list("actor=carol")).items).toEqual([]);
    expect((await list("actor=alice", "globex")).items.every((e) => e.tenant === "globex")).toBe(true);
  });

  it("pages a filtered list with nextAfter: each matching entry once, in order", async () => {
    t = await makeApi();
    await seed(t.store, 30);
    const seen: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 10; pages++) {
      const page = await list(`action=task.submitted&limit=4&after=${after}`);
      seen.push(...page.items.map((e) => e.seq));
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    const all = (await list("limit=1000")).items.filter((e) => e.action === "task.submitted").map((e) => e.seq);
    expect(all).toHaveLength(20);
    expect(seen).toEqual(all);
  });

  it("reads a bounded part of the log per request and says where to go on", async () => {
    t = await makeApi();
    for (let n = 0; n < AUDIT_SCAN_LIMIT + 10; n++) await t.store.appendAudit({ tenant: "acme", actor: n < AUDIT_SCAN_LIMIT ? "system" : "alice", action: "auth.failed" });
    const first = await list("actor=alice");
    expect(first.items).toEqual([]);
    expect(first.nextAfter).not.toBeNull();
    const second = await list(`actor=alice&after=${first.nextAfter}`);
    expect(second.items).toHaveLength(10);
    expect(second.nextAfter).toBeNull();
  });

  it("refuses bad filters with a 400 that names the field", async () => {
    t = await makeApi();
    for (const [query, field] of [
      ["from=yesterday", "from"],
      ["to=2026-01-01", "to"],
      ["from=2026-01-01T10:00:00Z&to=2026-01-01T09:00:00Z", "from"],
      ["actor=", "actor"],
      [`target=${"x".repeat(201)}`, "target"],
      ["action=task%20submitted", "action"],
      ["run=abc", "run"],
    ] as const) {
      const res = await get(`/v1/audit?${query}`);
      expect(res.statusCode, query).toBe(400);
      const problem = res.json<{ code: string; detail: string }>();
      expect(["INVALID_INPUT", "UNKNOWN_FIELDS"]).toContain(problem.code);
      expect(problem.detail, query).toContain(field);
      expect(problem.detail.split("\n")).toHaveLength(1);
    }
  });

  it("describes the filters in /openapi.json", async () => {
    t = await makeApi();
    const doc = (await t.api.app.inject({ method: "GET", url: "/openapi.json" })).json<{ paths: Record<string, { get: { parameters: { name: string }[] } }> }>();
    expect(doc.paths["/v1/audit"]?.get.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["after", "limit", "actor", "action", "target", "from", "to"]));
  });
});
