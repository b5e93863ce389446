import { generateKeyPair } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi;
beforeEach(async () => {
  t = await makeApi();
});
afterEach(async () => {
  await t.close();
});

/** GET /v1/tasks with these headers, in Chinese and in English. */
async function both(headers: Record<string, string>): Promise<{ zh: { code: string; detail: string }; en: { code: string; detail: string }; header: string }> {
  const zh = await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: { ...headers, "accept-language": "zh-CN" } });
  const en = await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers });
  expect([zh.statusCode, en.statusCode]).toEqual([401, 401]);
  return { zh: zh.json(), en: en.json(), header: String(zh.headers["www-authenticate"]) };
}

describe("why a token was refused, in the client's language", () => {
  it.each([
    ["no Authorization header", async () => ({}), "持有者令牌缺失或无效：没有 Authorization 头部", "no Authorization header"],
    ["an expired token", async () => bearer(await token({ expIn: -3600 })), "持有者令牌缺失或无效：令牌已过期", "the token has expired"],
    ["a token for another audience", async () => bearer(await token({ aud: "someone-else" })), "持有者令牌缺失或无效：声明“aud”有误或缺失", 'claim "aud" is wrong or missing'],
    ["a signature jose does not verify", async () => bearer(await token({ key: (await generateKeyPair("RS256")).privateKey })), "持有者令牌缺失或无效：签名验证失败", "the signature does not verify"],
    ["something that is not a JWT", async () => ({ authorization: "Bearer abc.def.ghi" }), "持有者令牌缺失或无效：令牌不是 JWT", "the token is not a JWT"],
  ])("%s: Chinese detail under Accept-Language: zh-CN, English otherwise, same code", async (_name, headers, zhDetail, enReason) => {
    const { zh, en, header } = await both(await headers());
    expect(zh).toMatchObject({ code: "UNAUTHENTICATED", detail: zhDetail });
    expect(en).toMatchObject({ code: "UNAUTHENTICATED", detail: expect.stringContaining(enReason) as unknown });
    // The header is for machines: ASCII, whatever the language.
    expect(header).toMatch(/^[\x20-\x7e]+$/);
  });
});
