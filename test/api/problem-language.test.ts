import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi;
let auth: Record<string, string>;
beforeEach(async () => {
  t = await makeApi();
  auth = bearer(await token());
});
afterEach(async () => {
  await t.close();
});

const MISSING = "/v1/tasks/0mwtsupi6-aaaaaaaa";

describe("problem title and detail in the client's language", () => {
  it("answers in Chinese for Accept-Language: zh-CN, with the same status, code and type", async () => {
    const zh = await t.api.app.inject({ method: "GET", url: MISSING, headers: { ...auth, "accept-language": "zh-CN" } });
    const en = await t.api.app.inject({ method: "GET", url: MISSING, headers: auth });
    expect(zh.statusCode).toBe(404);
    expect(zh.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(zh.headers["content-language"]).toBe("zh-CN");
    expect(zh.headers.vary).toMatch(/Accept-Language/);
    expect(zh.json()).toEqual({ ...en.json(), title: "未找到", detail: "找不到任务 0mwtsupi6-aaaaaaaa" });
    expect(en.json()).toMatchObject({ status: 404, code: "NOT_FOUND", title: "Not Found", detail: "no task 0mwtsupi6-aaaaaaaa" });
    expect(en.headers["content-language"]).toBe("en");
  });

  it("stays English without Accept-Language and when English is preferred", async () => {
    for (const headers of [auth, { ...auth, "accept-language": "en-US,en;q=0.9,zh-CN;q=0.8" }, { ...auth, "accept-language": "ja" }]) {
      const res = await t.api.app.inject({ method: "GET", url: MISSING, headers });
      expect(res.json()).toMatchObject({ code: "NOT_FOUND", title: "Not Found", detail: "no task 0mwtsupi6-aaaaaaaa" });
    }
  });

  it("names the offending fields in Chinese for a bad body", async () => {
    const res = await t.api.app.inject({
      method: "POST",
      url: "/v1/tasks",
      headers: { ...auth, "content-type": "application/json", "accept-language": "zh-CN,zh;q=0.9" },
      payload: JSON.stringify({ description: "生成季度财务报告", status: "succeeded" }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "UNKNOWN_FIELDS", title: "存在未知字段", detail: "请求体中有未知字段：status" });
    expect(await t.store.list()).toEqual([]);
  });

  it("translates Fastify's own errors (invalid JSON) and keeps the code", async () => {
    const res = await t.api.app.inject({ method: "POST", url: "/v1/tasks", headers: { ...auth, "content-type": "application/json", "accept-language": "zh" }, payload: '{"description":' });
    expect(res.json()).toMatchObject({ status: 400, code: "INVALID_JSON", title: "JSON 无效" });
    expect((res.json() as { detail: string }).detail).toMatch(/^请求体不是有效的 JSON/);
  });

  it("gives a Chinese title on 401 while the WWW-Authenticate header stays ASCII", async () => {
    const res = await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: { "accept-language": "zh-CN" } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: "UNAUTHENTICATED", title: "未认证" });
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer error="invalid_token"/);
    expect(String(res.headers["www-authenticate"])).toMatch(/^[\x20-\x7e]+$/);
  });

  it("translates the answer for a route that does not exist", async () => {
    const res = await t.api.app.inject({ method: "GET", url: "/v1/no-such-route", headers: { ...auth, "accept-language": "zh-CN" } });
    expect(res.json()).toMatchObject({ status: 404, code: "NOT_FOUND", title: "未找到", detail: "没有这个路由：GET /v1/no-such-route" });
  });
});
