import { afterEach, describe, expect, it } from "vitest";
import type { ApiOptions } from "../../src/api/index.js";
import { bearer, makeApi, token, type TestApi } from "./harness.js";

let t: TestApi | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function submit(body: Record<string, unknown>, options: Partial<ApiOptions> = {}, headers: Record<string, string> = {}) {
  t ??= await makeApi(options);
  return t.api.app.inject({ method: "POST", url: "/v1/tasks", headers: { ...bearer(await token()), "content-type": "application/json", ...headers }, payload: JSON.stringify(body) });
}

describe("POST /v1/tasks with a callbackUrl", () => {
  it.each([
    ["plain http", "http://hooks.example.com/x", /callbackUrl must use https \(got http\); plain http needs CS_AGENTS_WEBHOOK_ALLOW_HTTP=true/],
    ["loopback", "https://127.0.0.1/x", /address 127\.0\.0\.1 is private, loopback, link-local or reserved/],
    ["IPv6 loopback", "https://[::1]/x", /address ::1 is private/],
    ["IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/x", /address ::ffff:7f00:1 is private/],
    ["the unspecified address", "https://0.0.0.0/x", /address 0\.0\.0\.0 is private/],
    ["cloud metadata (link-local)", "https://169.254.169.254/latest/meta-data", /address 169\.254\.169\.254 is private/],
    ["private 10/8", "https://10.1.2.3/x", /address 10\.1\.2\.3 is private/],
    ["unique-local IPv6", "https://[fd12:3456::1]/x", /address fd12:3456::1 is private/],
    ["an integer spelling of loopback", "https://2130706433/x", /address 127\.0\.0\.1 is private/],
    ["not a URL", "hooks.example.com/x", /callbackUrl is not an absolute URL/],
    ["a URL with credentials", "https://user:secret@hooks.example.com/x", /callbackUrl must be an absolute https URL without credentials/],
    ["a ftp URL", "ftp://hooks.example.com/x", /callbackUrl must use https \(got ftp\)/],
  ])("answers 400 for %s and stores nothing", async (_name, callbackUrl, detail) => {
    const res = await submit({ description: "生成季度财务报告", callbackUrl });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "INVALID_INPUT", detail: expect.stringMatching(detail) });
    expect(await t?.store.list({})).toEqual([]);
  });

  it("says why in Chinese under Accept-Language: zh-CN", async () => {
    const res = await submit({ description: "生成季度财务报告", callbackUrl: "https://192.168.1.10/x" }, {}, { "accept-language": "zh-CN" });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ detail: string }>().detail).toContain("私有、回环、链路本地或保留地址");
  });

  it("accepts an https URL on a public host, and GET shows the callback waiting until the run finishes, then its delivery", async () => {
    const res = await submit({ description: "生成季度财务报告", callbackUrl: "https://hooks.example.com/cs-agents" });
    expect(res.statusCode).toBe(202);
    const id = res.json<{ id: string }>().id;
    const get = async () => (await t?.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: bearer(await token()) }))?.json<{ callback?: unknown }>();
    expect((await get())?.callback).toEqual({ url: "https://hooks.example.com/cs-agents", status: "waiting", attempts: 0 });
    const store = t?.store;
    if (!store) throw new Error("no store");
    const [lease] = await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
    if (!lease) throw new Error("nothing claimed");
    await store.transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: 1 } });
    expect((await get())?.callback).toEqual({ url: "https://hooks.example.com/cs-agents", status: "pending", attempts: 0 });
    const [claim] = await store.webhookDeliveries().claimDeliveries({ workerId: "d1", leaseMs: 60_000, limit: 1 });
    if (!claim) throw new Error("nothing claimed");
    await store.webhookDeliveries().settleDelivery(claim, { delivered: false, error: "the receiver answered 502", retryAt: undefined });
    expect((await get())?.callback).toEqual({ url: "https://hooks.example.com/cs-agents", status: "failed", attempts: 1, lastError: "the receiver answered 502" });
  });

  it("accepts plain http to a private address when the settings allow both", async () => {
    const res = await submit({ description: "生成季度财务报告", callbackUrl: "http://127.0.0.1:9/x" }, { webhooks: { allowHttp: true, allowPrivate: true } });
    expect(res.statusCode).toBe(202);
  });

  it("shows no callback for a task submitted without one", async () => {
    const res = await submit({ description: "生成季度财务报告" });
    expect(res.json()).not.toHaveProperty("callback");
  });
});
