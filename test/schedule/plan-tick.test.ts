import { describe, expect, it } from "vitest";
import { checkScheduleSpec, planTick, tickAfter, tickKey } from "../../src/schedule/index.js";
import type { ScheduleSpec } from "../../src/schedule/index.js";
import type { Schedule } from "../../src/store/index.js";

const HOUR = 3_600_000;

function schedule(spec: Partial<ScheduleSpec>, nextRunAt: Date): Schedule {
  const full = { task: { description: "digest", input: { to: "ops" } }, missed: "skip", ...spec };
  return { id: "sch-1", tenant: "acme", name: null, spec: full, nextRunAt, lastRunAt: null, lastTick: null, paused: false, createdAt: nextRunAt, updatedAt: nextRunAt };
}

const ticks = (spec: ScheduleSpec, from: string, n: number) => {
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < n; i++) {
    at = tickAfter(spec, at, at) as Date;
    out.push(at.toISOString());
  }
  return out;
};

describe("cron ticks in a time zone", () => {
  it("reads the cron in its zone: 09:00 on weekdays in Shanghai is 01:00 UTC, weekends skipped", () => {
    const spec = checkScheduleSpec({ task: { description: "x" }, cron: "0 9 * * 1-5", timeZone: "Asia/Shanghai", missed: "skip" });
    expect(ticks(spec, "2026-03-05T12:00:00Z", 3)).toEqual(["2026-03-06T01:00:00.000Z", "2026-03-09T01:00:00.000Z", "2026-03-10T01:00:00.000Z"]);
  });

  it("keeps local time across the spring DST change, and fires once for a local time that does not exist", () => {
    const nine = checkScheduleSpec({ task: { description: "x" }, cron: "0 9 * * *", timeZone: "America/New_York", missed: "skip" });
    // 8 March 2026: clocks go from 02:00 EST to 03:00 EDT. 09:00 local is 14:00 UTC before, 13:00 after.
    expect(ticks(nine, "2026-03-06T20:00:00Z", 3)).toEqual(["2026-03-07T14:00:00.000Z", "2026-03-08T13:00:00.000Z", "2026-03-09T13:00:00.000Z"]);
    const gap = checkScheduleSpec({ task: { description: "x" }, cron: "30 2 * * *", timeZone: "America/New_York", missed: "skip" });
    // 02:30 does not exist on 8 March: the tick comes at 03:00 EDT that day, once.
    expect(ticks(gap, "2026-03-07T12:00:00Z", 2)).toEqual(["2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"]);
  });

  it("fires once for a local time that happens twice in the autumn", () => {
    const spec = checkScheduleSpec({ task: { description: "x" }, cron: "30 1 * * *", timeZone: "America/New_York", missed: "skip" });
    // 1 November 2026: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
    expect(ticks(spec, "2026-10-31T12:00:00Z", 2)).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
  });
});

describe("planTick", () => {
  const t0 = new Date("2026-03-01T09:00:00.000Z");
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it("submits an on-time tick with the tick's idempotency key and the schedule id in the input", () => {
    const plan = planTick(schedule({ everyMs: HOUR }, t0), at(2_000));
    expect(plan.submit?.tick).toEqual(t0);
    expect(plan.submit?.task).toMatchObject({ tenant: "acme", idempotencyKey: tickKey("sch-1", t0), input: { to: "ops", scheduleId: "sch-1" } });
    expect(plan).toMatchObject({ skippedTicks: 0, nextRunAt: at(HOUR) });
  });

  it("skip: after downtime, no run for the missed ticks, and the next tick is the first one in the future", () => {
    // Down for 5 h 30 min: the ticks at 09:00 … 14:00 (6 of them) were missed.
    const plan = planTick(schedule({ everyMs: HOUR, missed: "skip" }, t0), at(5.5 * HOUR));
    expect(plan.submit).toBeUndefined();
    expect(plan).toMatchObject({ skippedTicks: 6, firstSkipped: t0, nextRunAt: at(6 * HOUR) });
  });

  it("run_once: after downtime, one run for all the missed ticks (keyed by the newest), then future ticks", () => {
    const plan = planTick(schedule({ everyMs: HOUR, missed: "run_once" }, t0), at(5.5 * HOUR));
    expect(plan.submit?.tick).toEqual(at(5 * HOUR));
    expect(plan.submit?.task.idempotencyKey).toBe(tickKey("sch-1", at(5 * HOUR)));
    expect(plan).toMatchObject({ skippedTicks: 5, nextRunAt: at(6 * HOUR) });
  });

  it("a loop a little late (within a minute) still runs the tick, whatever the policy", () => {
    const plan = planTick(schedule({ everyMs: 1_000, missed: "skip" }, t0), at(2_500));
    expect(plan.submit?.tick).toEqual(at(2_000));
    expect(plan).toMatchObject({ skippedTicks: 2, nextRunAt: at(3_000) });
  });

  it("skip with a cron across days of downtime, counting the missed ticks", () => {
    const spec = { cron: "0 9 * * *", timeZone: "Asia/Shanghai" };
    const first = new Date("2026-03-02T01:00:00.000Z");
    const plan = planTick(schedule(spec, first), new Date("2026-03-05T03:00:00.000Z"));
    expect(plan.submit).toBeUndefined();
    expect(plan).toMatchObject({ skippedTicks: 4, nextRunAt: new Date("2026-03-06T01:00:00.000Z") });
    const once = planTick(schedule({ ...spec, missed: "run_once" }, first), new Date("2026-03-05T03:00:00.000Z"));
    expect(once.submit?.tick).toEqual(new Date("2026-03-05T01:00:00.000Z"));
  });
});
