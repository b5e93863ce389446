import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi;
let base: string;
let auth: Record<string, string>;
beforeAll(async () => {
  t = await makeApi();
  const { port } = await t.api.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${port}`;
  auth = bearer(await token());
});
afterAll(async () => t.close());

async function submit(body: string | Uint8Array, contentType = "application/json"): Promise<{ status: number; body: { code?: string; detail?: string; id?: string } }> {
  const res = await fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": contentType }, body });
  return { status: res.status, body: (await res.json()) as { code?: string; detail?: string } };
}

const bytes = (...parts: (string | number[])[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("strict JSON bodies", () => {
  const refused: [string, () => string | Uint8Array, RegExp][] = [
    ["an invalid UTF-8 byte", () => bytes('{"description":"a', [0xff], 'b"}'), /not valid UTF-8/],
    ["an overlong encoding of '.' (C0 AE)", () => bytes('{"description":"a', [0xc0, 0xae], 'b"}'), /not valid UTF-8/],
    ["an overlong encoding of '/' (E0 80 AF)", () => bytes('{"description":"a', [0xe0, 0x80, 0xaf], 'b"}'), /not valid UTF-8/],
    ["a UTF-8-encoded surrogate (ED A0 80)", () => bytes('{"description":"a', [0xed, 0xa0, 0x80], 'b"}'), /not valid UTF-8/],
    ["a truncated sequence", () => bytes('{"description":"a', [0xe6, 0x8a], '"}'), /not valid UTF-8/],
    ["a duplicate top-level key", () => '{"description":"first","description":"second"}', /key "description" twice/],
    ["a duplicate key spelled with an escape", () => '{"description":"first","descr\\u0069ption":"second"}', /key "description" twice/],
    ["a duplicate nested key", () => '{"description":"x","input":{"list":[{"a":1,"b":2,"a":3}]}}', /key "a" twice/],
  ];

  it.each(refused)("refuses %s with 400 INVALID_JSON saying what was wrong, storing nothing", async (_name, body, detail) => {
    const res = await submit(body());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("INVALID_JSON");
    expect(res.body.detail).toMatch(detail);
    expect(await t.store.list()).toEqual([]);
  });

  it("refuses a charset other than UTF-8 with 415", async () => {
    const res = await submit('{"description":"x"}', "application/json; charset=iso-8859-1");
    expect(res.status).toBe(415);
    expect(res.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("accepts valid UTF-8 (Chinese, emoji), the same key in sibling objects, and keys that differ only by escapes' meaning", async () => {
    const description = "生成季度财务报告 📈";
    const res = await submit(
      JSON.stringify({ description, input: { rows: [{ a: 1, b: 2 }, { a: 3, b: 4 }], "a\"b": 1, "a\\b": 2, ab: 3, nested: { description: "inner" } } }),
      "application/json; charset=utf-8",
    );
    expect(res.status).toBe(202);
    const run = await t.store.get(res.body.id ?? "");
    expect(run?.task.description).toBe(description);
  });
});
