import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi;
let auth: Record<string, string>;
beforeEach(async () => {
  t = await makeApi({ bodyLimitBytes: 262_144, maxJsonDepth: 32 });
  auth = bearer(await token());
});
afterEach(async () => {
  await t.close();
});

const post = (payload: string | Buffer, contentType = "application/json", url = "/v1/tasks") =>
  t.api.app.inject({ method: "POST", url, headers: { ...auth, "content-type": contentType }, payload });

describe("malformed input", () => {
  const cases: [string, () => ReturnType<typeof post>, number, string][] = [
    ["invalid JSON", () => post('{"description": "x",'), 400, "INVALID_JSON"],
    ["an empty body", () => post(""), 400, "INVALID_JSON"],
    ["a JSON array", () => post("[1,2]"), 400, "INVALID_INPUT"],
    ["text/plain", () => post("description=x", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["form encoding", () => post("description=x", "application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE"],
    ["a body over 256 KiB", () => post(JSON.stringify({ description: "x", input: { blob: "a".repeat(300_000) } })), 413, "PAYLOAD_TOO_LARGE"],
    ["JSON nested 10,000 deep", () => post(`{"description":"x","input":{"a":${"[".repeat(10_000)}${"]".repeat(10_000)}}}`), 400, "JSON_TOO_DEEP"],
    ["a __proto__ key", () => post('{"description":"x","input":{"__proto__":{"polluted":true}}}'), 400, "INVALID_JSON"],
    ["a top-level __proto__ key", () => post('{"__proto__":{"polluted":true},"description":"x"}'), 400, "INVALID_JSON"],
    ["a constructor.prototype key", () => post('{"description":"x","input":{"constructor":{"prototype":{"polluted":true}}}}'), 400, "INVALID_JSON"],
    ["a body on cancel", () => post('{"status":"succeeded"}', "application/json", "/v1/tasks/000000000-00000000/cancel"), 400, "UNKNOWN_FIELDS"],
  ];

  it.each(cases)("refuses %s with the right 4xx, storing nothing", async (_name, send, status, code) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status, code });
    expect(res.body).not.toMatch(/at .*\.(ts|js):\d+|SELECT|INSERT|sqlite|BEGIN/i);
    expect(await t.store.list()).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("accepts JSON nested up to the limit", async () => {
    const res = await post(`{"description":"x","input":{"a":${"[".repeat(20)}${"]".repeat(20)}}}`);
    expect(res.statusCode).toBe(202);
  });

  it("refuses a malformed Idempotency-Key", async () => {
    const res = await t.api.app.inject({ method: "POST", url: "/v1/tasks", headers: { ...auth, "content-type": "application/json", "idempotency-key": "has space" }, payload: '{"description":"x"}' });
    expect(res.json()).toMatchObject({ status: 400, code: "INVALID_INPUT" });
  });

  it("limits requests per tenant with 429 and Retry-After, other tenants unaffected", async () => {
    await t.close();
    t = await makeApi({ rateLimit: { max: 3, windowMs: 60_000 } });
    const get = async (tenant: string) => t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: bearer(await token({ tenant })) });
    for (let i = 0; i < 3; i++) expect((await get("acme")).statusCode).toBe(200);
    const limited = await get("acme");
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe("RATE_LIMITED");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect((await get("globex")).statusCode).toBe(200);
    expect((await t.api.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });

  it("answers 431 for oversized headers and hides internals in 500s", async () => {
    await t.close();
    t = await makeApi({ maxHeaderBytes: 4_096 });
    const address = await t.api.listen(0, "127.0.0.1");
    const res = await fetch(`http://127.0.0.1:${address.port}/healthz`, { headers: { "x-big": "a".repeat(8_000) } });
    expect(res.status).toBe(431);
    await t.store.close();
    const broken = await fetch(`http://127.0.0.1:${address.port}/v1/tasks`, { headers: auth });
    expect(broken.status).toBe(500);
    const problem = (await broken.json()) as { code: string; detail: string };
    expect(problem.code).toBe("INTERNAL");
    expect(problem.detail).toBe("the server failed to answer this request; it was logged");
  });
});
