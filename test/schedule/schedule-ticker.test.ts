import { afterEach, describe, expect, it } from "vitest";
import { MetricsRegistry } from "../../src/observability/index.js";
import { scheduleTickMetrics, ScheduleTicker } from "../../src/schedule/index.js";
import { SqliteStore } from "../../src/store/index.js";
import type { FiredTick } from "../../src/store/index.js";

const T0 = new Date("2026-03-01T09:00:00.000Z");
const HOUR = 3_600_000;
const audit = { action: "schedule.created", actor: "alice", tenant: "acme" };

describe("ScheduleTicker with a fake clock", () => {
  const store = SqliteStore.open(":memory:");
  afterEach(async () => {
    for (const s of await store.listSchedules()) await store.deleteSchedule(s.id, audit);
  });

  it("after downtime, skip makes no run and run_once makes one; both wait for the next future tick", async () => {
    await store.createSchedule({ id: "sch-skip", tenant: "acme", name: null, spec: { task: { description: "a" }, everyMs: HOUR, missed: "skip" }, nextRunAt: T0, paused: false }, audit);
    await store.createSchedule({ id: "sch-once", tenant: "acme", name: null, spec: { task: { description: "b" }, everyMs: HOUR, missed: "run_once" }, nextRunAt: T0, paused: false }, audit);
    let now = new Date(T0.getTime() + 3.5 * HOUR);
    const seen: FiredTick[] = [];
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    const count = scheduleTickMetrics(metrics);
    const ticker = new ScheduleTicker({ store, clock: () => now, onFired: (ticks) => (seen.push(...ticks), count(ticks)) });
    await ticker.tickOnce();
    expect(seen.map((t) => [t.scheduleId, t.outcome, t.skippedTicks ?? 0]).sort()).toEqual([
      ["sch-once", "submitted", 3],
      ["sch-skip", "missed", 4],
    ]);
    // The same moment again, and up to just before the next tick: nothing more.
    now = new Date(T0.getTime() + 4 * HOUR - 1);
    expect(await ticker.tickOnce()).toEqual([]);
    now = new Date(T0.getTime() + 4 * HOUR);
    expect((await ticker.tickOnce()).map((t) => t.outcome)).toEqual(["submitted", "submitted"]);
    expect(await store.list({ tenant: "acme" })).toHaveLength(3);
    const text = await metrics.text();
    expect(text).toMatch(/^cs_agents_schedule_ticks_total\{outcome="submitted"\} 3$/m);
    expect(text).toMatch(/^cs_agents_schedule_ticks_total\{outcome="missed"\} 1$/m);
  });

  it("records a tick the tenant's rate limit refuses, and does not retry it", async () => {
    await store.createSchedule({ id: "sch-rl", tenant: "busy", name: null, spec: { task: { description: "c" }, everyMs: HOUR, missed: "skip" }, nextRunAt: T0, paused: false }, audit);
    const asked: string[] = [];
    const ticker = new ScheduleTicker({ store, clock: () => new Date(T0.getTime() + 1_000), admit: async (tenant) => (asked.push(tenant), "RATE_LIMITED") });
    expect(await ticker.tickOnce()).toEqual([expect.objectContaining({ scheduleId: "sch-rl", outcome: "refused", reason: "RATE_LIMITED" })]);
    expect(asked).toEqual(["busy"]);
    expect(await ticker.tickOnce()).toEqual([]);
    expect(await store.getSchedule("sch-rl")).toMatchObject({ nextRunAt: new Date(T0.getTime() + HOUR), lastTick: { outcome: "refused", reason: "RATE_LIMITED" } });
    expect(await store.list({ tenant: "busy" })).toHaveLength(0);
  });

  it("started, its loop fires a due schedule and tells onFired, which wakes the worker; stopped, it fires no more", async () => {
    await store.createSchedule({ id: "sch-loop", tenant: "loop", name: null, spec: { task: { description: "d" }, everyMs: HOUR, missed: "skip" }, nextRunAt: T0, paused: false }, audit);
    let told: (ticks: readonly FiredTick[]) => void = () => undefined;
    const fired = new Promise<readonly FiredTick[]>((resolve) => (told = resolve));
    const ticker = new ScheduleTicker({ store, pollMs: 10, clock: () => new Date(T0.getTime() + 1_000), onFired: (ticks) => told(ticks) });
    ticker.start();
    expect((await fired).map((t) => [t.scheduleId, t.outcome])).toEqual([["sch-loop", "submitted"]]);
    await ticker.stop();
    expect(await store.list({ tenant: "loop" })).toHaveLength(1);
  });
});
