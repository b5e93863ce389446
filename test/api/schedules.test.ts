import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planTick } from "../../src/schedule/index.js";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

const NOW = new Date("2026-03-02T00:30:00.000Z");
let t: TestApi;

beforeAll(async () => {
  t = await makeApi({}, undefined, { now: () => NOW });
});
afterAll(async () => {
  await t.close();
});

async function call(method: "GET" | "POST" | "DELETE", url: string, body?: unknown, tenant = "acme") {
  const headers = { ...bearer(await token({ tenant })), ...(body === undefined ? {} : { "content-type": "application/json" }) };
  return t.api.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
}

const task = { description: "生成季度财务报告" };

describe("POST /v1/schedules", () => {
  it("creates a cron schedule in its zone: 201 with the id and the next tick", async () => {
    const res = await call("POST", "/v1/schedules", { name: "weekday report", task, cron: "0 9 * * 1-5", timeZone: "Asia/Shanghai" });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ name: "weekday report", cron: "0 9 * * 1-5", timeZone: "Asia/Shanghai", everyMs: null, missed: "skip", paused: false, lastTick: null });
    // Monday 2 March 2026, 08:30 in Shanghai: the next tick is 09:00 there, 01:00 UTC.
    expect(body.nextRunAt).toBe("2026-03-02T01:00:00.000Z");
    expect(res.headers.location).toBe(`/v1/schedules/${body.id}`);
  });

  it("creates an interval schedule whose first tick is one interval from now", async () => {
    const res = await call("POST", "/v1/schedules", { task, everyMs: 60_000, missed: "run_once" });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ everyMs: 60_000, cron: null, timeZone: null, missed: "run_once", nextRunAt: "2026-03-02T00:31:00.000Z" });
  });

  it.each([
    [{ task }, /exactly one of "cron".*"everyMs"/],
    [{ task, cron: "0 9 * * *", everyMs: 60_000 }, /exactly one of "cron"/],
    [{ task, cron: "0 9 * *" }, /^cron: .*must have 5 fields/],
    [{ task, cron: "0 0 9 * * *" }, /^cron: .*must have 5 fields/],
    [{ task, cron: "61 9 * * *" }, /^cron: .*not a valid 5-field cron/],
    [{ task, cron: "0 0 30 2 *" }, /^cron: .*never fires/],
    [{ task, cron: "0 9 * * *", timeZone: "Mars/Olympus" }, /^timeZone: "Mars\/Olympus" is not an IANA time zone/],
    [{ task, everyMs: 60_000, timeZone: "UTC" }, /^timeZone: only a cron schedule/],
    [{ task, everyMs: 999 }, /everyMs/],
    [{ task: {}, everyMs: 60_000 }, /task/],
  ])("refuses %j with a 400 naming the field", async (body, detail) => {
    const before = (await call("GET", "/v1/schedules")).json().items.length;
    const res = await call("POST", "/v1/schedules", body);
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(detail);
    expect((await call("GET", "/v1/schedules")).json().items).toHaveLength(before);
  });

  it("answers a bad cron in Chinese when asked", async () => {
    const headers = { ...bearer(await token({ tenant: "acme" })), "content-type": "application/json", "accept-language": "zh-CN" };
    const res = await t.api.app.inject({ method: "POST", url: "/v1/schedules", headers, payload: JSON.stringify({ task, cron: "0 9 * * *", timeZone: "Mars/Olympus" }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain("不是 IANA 时区");
  });
});

describe("the tenant's schedules", () => {
  it("lists, reads, pauses, resumes and deletes its own; another tenant's answer 404 and stay as they were", async () => {
    const created = (await call("POST", "/v1/schedules", { task, everyMs: 3_600_000 }, "globex")).json();
    const url = `/v1/schedules/${created.id}`;
    expect((await call("GET", url, undefined, "acme")).statusCode).toBe(404);
    expect((await call("POST", `${url}/pause`, undefined, "acme")).statusCode).toBe(404);
    expect((await call("DELETE", url, undefined, "acme")).statusCode).toBe(404);
    expect((await call("GET", "/v1/schedules", undefined, "acme")).json().items.map((s: { id: string }) => s.id)).not.toContain(created.id);

    expect((await call("GET", "/v1/schedules", undefined, "globex")).json().items.map((s: { id: string }) => s.id)).toEqual([created.id]);
    expect((await call("POST", `${url}/pause`, undefined, "globex")).json()).toMatchObject({ paused: true });
    expect((await call("POST", `${url}/resume`, undefined, "globex")).json()).toMatchObject({ paused: false, nextRunAt: "2026-03-02T01:30:00.000Z" });
    expect((await call("DELETE", url, undefined, "globex")).statusCode).toBe(200);
    expect((await call("GET", url, undefined, "globex")).statusCode).toBe(404);
    const actions = (await t.store.listAudit({ tenant: "globex" })).filter((e) => e.target === created.id).map((e) => e.action);
    expect(actions).toEqual(["schedule.created", "schedule.paused", "schedule.resumed", "schedule.deleted"]);
  });

  it("answers 404 for an id that cannot be a schedule", async () => {
    const res = await call("GET", "/v1/schedules/not-a-schedule");
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("NOT_FOUND");
  });

  it("shows what the last tick did and which run it made", async () => {
    const created = (await call("POST", "/v1/schedules", { task, everyMs: 60_000 }, "initech")).json();
    const now = new Date("2026-03-02T00:31:05.000Z");
    let n = 0;
    await t.store.fireDueSchedules({ now, limit: 10, plan: (s) => planTick(s, now), newRunId: () => `mbxkqz0aa-schedrn${++n}` });
    const body = (await call("GET", `/v1/schedules/${created.id}`, undefined, "initech")).json();
    expect(body).toMatchObject({ lastRunAt: "2026-03-02T00:31:00.000Z", nextRunAt: "2026-03-02T00:32:00.000Z", lastTick: { outcome: "submitted", reason: null } });
    const run = (await call("GET", `/v1/tasks/${String(body.lastTick.runId)}`, undefined, "initech")).json();
    expect(run.input).toEqual({ scheduleId: created.id });
  });
});
