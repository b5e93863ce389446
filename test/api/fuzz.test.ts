import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { buildOpenApi, OPERATIONS, schemas } from "../../src/api/index.js";
import type { Operation } from "../../src/api/index.js";
import { bearer, makeApi, seedApproval, seedSucceeded, testRunId, token } from "./harness.js";
import type { TestApi } from "./harness.js";

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; const?: unknown; maxLength?: number; minimum?: number; maximum?: number; items?: JsonSchema; anyOf?: JsonSchema[]; additionalProperties?: boolean | JsonSchema };

/** Values for a JSON Schema: mostly valid, sometimes not, sometimes with extra fields. */
function arbitraryOf(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (!schema) return fc.jsonValue({ maxDepth: 3 });
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(arbitraryOf));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), fc.string({ maxLength: 8 }));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const props = Object.entries(schema.properties ?? {});
      const record = Object.fromEntries(props.map(([k, s]) => [k, arbitraryOf(s)]));
      const base = fc.record(record, { requiredKeys: schema.required?.filter((k) => k in record) ?? [] }) as fc.Arbitrary<Record<string, unknown>>;
      return fc.oneof(
        { weight: 6, arbitrary: base },
        { weight: 1, arbitrary: fc.tuple(base, fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 })).map(([b, extra]) => ({ ...extra, ...b })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      );
    }
    case "string":
      return fc.oneof(fc.string({ maxLength: Math.min(schema.maxLength ?? 40, 40) }), fc.string({ unit: "grapheme", maxLength: 20 }), fc.constantFrom("", "queued", "running,succeeded", "生成季度财务报告"));
    case "integer":
    case "number":
      return fc.oneof(fc.integer({ min: (schema.minimum ?? -5) - 2, max: Math.min(schema.maximum ?? 1_000, 1_000) + 2 }), fc.double({ noNaN: false }));
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(arbitraryOf(schema.items), { maxLength: 3 });
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

let t: TestApi;
let auth: Record<string, string>;
const ids: string[] = [];
const approvals: string[] = [];
const doc = buildOpenApi("test") as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: JsonSchema }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> };

beforeAll(async () => {
  t = await makeApi({ maxActiveRunsPerTenant: 50 });
  auth = bearer(await token());
  const done = testRunId(1);
  await seedSucceeded(t.store, done, "acme");
  const cancelled = testRunId(2);
  await t.store.submitAudited({ description: "c", tenant: "acme" }, { runId: cancelled, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant: "acme" });
  await t.store.cancel(cancelled, { action: "task.cancelled", actor: "alice", tenant: "acme" });
  ids.push(done, cancelled);
  for (let n = 3; n < 6; n++) {
    const seeded = await seedApproval(t.store, { runId: testRunId(n), tenant: "acme", submittedBy: "someone" });
    approvals.push(`${seeded.runId}.${Buffer.from(seeded.stepKey).toString("base64url")}`);
  }
});
afterAll(async () => {
  await t.close();
});

function requestArbitrary(op: Operation) {
  const spec = doc.paths[op.path.replace(/:([A-Za-z]+)/g, "{$1}")]?.[op.method.toLowerCase()];
  const query = spec?.parameters?.filter((p) => p.in === "query") ?? [];
  const queryArb = fc.record(Object.fromEntries(query.map((p) => [p.name, arbitraryOf(p.schema).map((v) => (typeof v === "string" ? v : JSON.stringify(v)))])), { requiredKeys: [] });
  const body = spec?.requestBody?.content["application/json"]?.schema;
  // Events are only asked of final runs (the stream ends at once) or of ids that do not exist.
  const id = op.id === "taskEvents" ? fc.oneof(fc.constantFrom(...ids), fc.string({ maxLength: 30 })) : fc.oneof(fc.constantFrom(...ids, ...approvals), fc.string({ maxLength: 30 }), fc.constant(testRunId(99)));
  return fc.record({
    id,
    name: fc.oneof(fc.constant("report.md"), fc.string({ maxLength: 20 })),
    query: fc.oneof({ weight: 5, arbitrary: queryArb }, { weight: 1, arbitrary: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }) }),
    body: body ? fc.oneof({ weight: 8, arbitrary: arbitraryOf(body) }, { weight: 1, arbitrary: fc.constant(undefined) }) : fc.constant(undefined),
    contentType: fc.oneof({ weight: 10, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: fc.constantFrom("text/plain", "application/json; charset=utf-8", "application/xml") }),
    authorized: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  });
}

const RESPONSE_SCHEMAS = new Map<string, z.ZodType>();
for (const op of OPERATIONS as readonly Operation[]) {
  for (const [status, spec] of Object.entries(op.responses)) if (!("mediaType" in spec)) RESPONSE_SCHEMAS.set(`${op.id} ${status}`, spec as z.ZodType);
}

describe("fuzzing every operation from the OpenAPI document", () => {
  it("answers 10,000 generated requests without a 5xx, each response matching its schema", async () => {
    const perOp = new Map<string, number>();
    const arbitrary = fc.constantFrom(...(OPERATIONS as readonly Operation[])).chain((op) => requestArbitrary(op).map((request) => ({ op, request })));
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ op, request }) => {
        perOp.set(op.id, (perOp.get(op.id) ?? 0) + 1);
        const url = op.path.replace(":id", encodeURIComponent(request.id)).replace(":name", encodeURIComponent(request.name));
        const res = await t.api.app.inject({
          method: op.method,
          url,
          query: request.query as Record<string, string>,
          headers: { ...(request.authorized ? auth : {}), ...(request.body !== undefined ? { "content-type": request.contentType } : {}) },
          ...(request.body !== undefined ? { payload: JSON.stringify(request.body) } : {}),
        });
        expect(res.statusCode, `${op.method} ${url}`).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
          const problem = schemas.ProblemSchema.parse(res.json());
          expect(problem.status).toBe(res.statusCode);
          return;
        }
        const schema = RESPONSE_SCHEMAS.get(`${op.id} ${res.statusCode}`);
        if (schema) schema.parse(res.json());
        else expect(Object.keys(op.responses)).toContain(String(res.statusCode));
      }),
      { numRuns: 10_000, seed: 20_250_101 },
    );
    for (const op of OPERATIONS) expect(perOp.get(op.id) ?? 0, op.id).toBeGreaterThan(100);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);
});
