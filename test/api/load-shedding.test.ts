import { afterEach, describe, expect, it } from "vitest";
import { LoadShedder } from "../../src/api/load-shedder.js";
import { ApiError } from "../../src/api/problem.js";
import { SqliteStore } from "../../src/store/index.js";
import type { ServiceStore } from "../../src/store/index.js";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A store whose submissions wait until `open()`: requests stay in flight as long as the test wants. */
function gatedStore(): { store: ServiceStore; entered: () => number; open: () => void } {
  const inner = SqliteStore.open(":memory:");
  let entered = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const store = new Proxy(inner, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (key !== "submitAudited" || typeof value !== "function") return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      return async (...args: unknown[]) => {
        entered++;
        await gate;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, entered: () => entered, open };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe("overload shedding", () => {
  it("answers 503 OVERLOADED with Retry-After past the in-flight bound, serves health, and every 202 is a stored run", async () => {
    const gated = gatedStore();
    t = await makeApi({ maxInFlight: 3 }, gated.store);
    const { port } = await t.api.listen(0, "127.0.0.1");
    const base = `http://127.0.0.1:${port}`;
    const auth = bearer(await token());
    const submit = (extra: Record<string, string> = {}) => fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": "application/json", ...extra }, body: JSON.stringify({ description: "生成季度财务报告" }) });

    const held = [submit(), submit(), submit()];
    await until(() => gated.entered() === 3);
    const refused = await Promise.all(Array.from({ length: 10 }, () => submit()));
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(await res.json()).toMatchObject({ status: 503, code: "OVERLOADED" });
    }
    // Reads are refused too (the bound is per process), but never health, readiness or metrics.
    expect((await fetch(`${base}/v1/tasks`, { headers: auth })).status).toBe(503);
    for (const path of ["/healthz", "/readyz", "/metrics"]) expect((await fetch(`${base}${path}`)).status, path).toBe(200);
    const zh = await submit({ "accept-language": "zh-CN" });
    expect(zh.status).toBe(503);
    expect(await zh.json()).toMatchObject({ code: "OVERLOADED", title: "服务器过载" });
    expect(gated.entered()).toBe(3);

    gated.open();
    const accepted = await Promise.all(held);
    expect(accepted.map((res) => res.status)).toEqual([202, 202, 202]);
    // The turns were given back: the next requests are served.
    const after = await Promise.all([submit(), submit()]);
    expect(after.map((res) => res.status)).toEqual([202, 202]);
    const stored = await t.store.list({ tenant: "acme", limit: 100 });
    expect(stored.length).toBe(5);
    const ids = new Set(stored.map((run) => run.id));
    for (const res of [...accepted, ...after]) expect(ids.has(((await res.json()) as { id: string }).id)).toBe(true);
  });

  it("answers a shed request before routing with the headers and problem body of any other refusal, counted under route shed", async () => {
    const gated = gatedStore();
    t = await makeApi({ maxInFlight: 1, corsOrigins: ["https://console.example"] }, gated.store);
    const { port } = await t.api.listen(0, "127.0.0.1");
    const base = `http://127.0.0.1:${port}`;
    const auth = bearer(await token());
    const zh = { ...auth, "accept-language": "zh-CN" };
    // A refusal Fastify routes and answers (no such run), while nothing is in flight.
    const routed = await fetch(`${base}/v1/tasks/run-none`, { headers: zh });
    expect(routed.status).toBe(404);
    const held = fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ description: "held" }) });
    await until(() => gated.entered() === 1);
    const shed = await fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...zh, "content-type": "application/json" }, body: JSON.stringify({ description: "shed" }) });
    expect(shed.status).toBe(503);
    expect(shed.headers.get("retry-after")).toBe("1");
    const perResponse = new Set(["content-length", "date", "connection", "keep-alive"]);
    for (const [name, value] of routed.headers) if (!perResponse.has(name)) expect([name, shed.headers.get(name)]).toEqual([name, value]);
    expect(await shed.json()).toEqual({ type: "urn:cs-agents:problem:overloaded", title: "服务器过载", status: 503, code: "OVERLOADED", detail: expect.any(String), instance: "/v1/tasks" });
    // A browser's request is refused after routing, with the CORS headers it needs to read the 503.
    const fromBrowser = await fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...auth, origin: "https://console.example", "content-type": "application/json" }, body: JSON.stringify({ description: "shed" }) });
    expect([fromBrowser.status, fromBrowser.headers.get("access-control-allow-origin"), fromBrowser.headers.get("retry-after")]).toEqual([503, "https://console.example", "1"]);
    expect(await fromBrowser.json()).toMatchObject({ code: "OVERLOADED", instance: "/v1/tasks" });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('cs_agents_http_requests_total{method="POST",route="shed",status="503"} 1');
    expect(metrics).toContain('cs_agents_http_requests_total{method="POST",route="/v1/tasks",status="503"} 1');
    gated.open();
    expect((await held).status).toBe(202);
    expect(gated.entered()).toBe(1);
    expect(await t.store.list({ tenant: "acme", limit: 10 })).toHaveLength(1);
  });

  it("gives a turn back when the client leaves before its answer", async () => {
    const gated = gatedStore();
    t = await makeApi({ maxInFlight: 1 }, gated.store);
    const { port } = await t.api.listen(0, "127.0.0.1");
    const base = `http://127.0.0.1:${port}`;
    const auth = bearer(await token());
    const leaving = new AbortController();
    const first = fetch(`${base}/v1/tasks`, { method: "POST", signal: leaving.signal, headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ description: "x" }) }).catch(() => "aborted");
    await until(() => gated.entered() === 1);
    expect((await fetch(`${base}/v1/tasks`, { headers: auth })).status).toBe(503);
    leaving.abort();
    expect(await first).toBe("aborted");
    // The server sees the client leave a moment later; then the turn is free again.
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      status = (await fetch(`${base}/v1/tasks`, { headers: auth })).status;
    }
    expect(status).toBe(200);
    gated.open();
  });

  it("with no bound (0) never sheds", () => {
    const shedder = new LoadShedder({ maxInFlight: 0, maxEventLoopDelayMs: 0 });
    const releases = Array.from({ length: 10_000 }, () => shedder.admit());
    expect(shedder.inFlight).toBe(10_000);
    for (const release of releases) {
      release();
      release();
    }
    expect(shedder.inFlight).toBe(0);
  });

  it("sheds while the event loop lags past the bound, and admits again once it catches up", async () => {
    const shedder = new LoadShedder({ maxInFlight: 0, maxEventLoopDelayMs: 50, sampleMs: 100 });
    try {
      const refused = (): boolean => {
        try {
          shedder.admit()();
          return false;
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          expect(error).toMatchObject({ code: "OVERLOADED", headers: { "Retry-After": "1" } });
          return true;
        }
      };
      expect(refused()).toBe(false);
      let shed = false;
      for (let i = 0; i < 10 && !shed; i++) {
        const end = Date.now() + 300;
        while (Date.now() < end); // the event loop blocked, as under a CPU-bound overload
        // The next sample sees the lag; the one after may not (the flag lasts one window).
        for (let j = 0; j < 25 && !shed; j++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          shed = refused();
        }
      }
      expect(shed).toBe(true);
      await until(() => !refused());
    } finally {
      shedder.close();
    }
  });
});
