import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planTick } from "../../src/schedule/index.js";
import type { FireRequest, NewSchedule, ServiceStore } from "../../src/store/index.js";

export interface ScheduleStoresFixture {
  /** Two stores on one database (separate connections), as two replicas would be. */
  readonly stores: readonly [ServiceStore, ServiceStore];
  cleanup(): Promise<void>;
}

const T0 = new Date("2026-03-01T09:00:00.000Z");
const MINUTE = 60_000;
const at = (ms: number) => new Date(T0.getTime() + ms);
const audit = { action: "schedule.created", actor: "alice", tenant: "acme" };

function newSchedule(id: string, fields: Partial<NewSchedule> = {}): NewSchedule {
  return { id, tenant: "acme", name: null, spec: { task: { description: "daily digest" }, everyMs: MINUTE, missed: "skip" }, nextRunAt: T0, paused: false, ...fields };
}

let seq = 0;
function fireAt(now: Date, extra: Partial<FireRequest> = {}): FireRequest {
  return { now, limit: 50, plan: (s) => planTick(s, now), newRunId: () => `run-${String(++seq).padStart(6, "0")}`, ...extra };
}

/** What every store does with schedules: due ticks fired once, advanced in the same commit, paused ones left alone. */
export function describeScheduleContract(name: string, makeStores: () => Promise<ScheduleStoresFixture>): void {
  describe(`${name} (schedule contract)`, () => {
    let fixture: ScheduleStoresFixture | undefined;
    beforeEach(async () => {
      fixture = await makeStores();
    });
    afterEach(async () => {
      await fixture?.cleanup();
    });
    const store = () => (fixture as ScheduleStoresFixture).stores[0];
    const other = () => (fixture as ScheduleStoresFixture).stores[1];

    it("stores a schedule, reads it back, lists it by tenant only, and audits the creation", async () => {
      const created = await store().createSchedule(newSchedule("sch-1", { name: "digest" }), audit);
      expect(created).toMatchObject({ id: "sch-1", tenant: "acme", name: "digest", nextRunAt: T0, lastRunAt: null, lastTick: null, paused: false });
      await store().createSchedule(newSchedule("sch-2", { tenant: "other" }), { ...audit, tenant: "other" });
      expect((await store().listSchedules({ tenant: "acme" })).map((s) => s.id)).toEqual(["sch-1"]);
      expect((await other().getSchedule("sch-1"))?.spec).toEqual(newSchedule("x").spec);
      expect((await store().listAudit({ tenant: "acme" })).map((e) => [e.action, e.target])).toContainEqual(["schedule.created", "sch-1"]);
    });

    it("fires a due tick: one queued run as the schedule's tenant, keyed by the tick, and next_run_at moves on in the same commit", async () => {
      await store().createSchedule(newSchedule("sch-1"), audit);
      const fired = await store().fireDueSchedules(fireAt(at(5_000)));
      expect(fired).toEqual([expect.objectContaining({ scheduleId: "sch-1", outcome: "submitted", tick: T0.toISOString() })]);
      const run = await store().get(fired[0]?.runId ?? "");
      expect(run?.status).toBe("queued");
      expect(run?.task).toMatchObject({ tenant: "acme", idempotencyKey: `schedule:sch-1:${T0.toISOString()}`, input: { scheduleId: "sch-1" } });
      const after = await store().getSchedule("sch-1");
      expect(after).toMatchObject({ nextRunAt: at(MINUTE), lastRunAt: T0, lastTick: { outcome: "submitted", runId: run?.id } });
      // The same moment again: nothing is due any more.
      expect(await store().fireDueSchedules(fireAt(at(5_000)))).toEqual([]);
    });

    it("fires nothing before the tick, and never a paused schedule", async () => {
      await store().createSchedule(newSchedule("sch-1"), audit);
      await store().createSchedule(newSchedule("sch-2", { paused: true }), audit);
      expect(await store().fireDueSchedules(fireAt(at(-1)))).toEqual([]);
      const fired = await store().fireDueSchedules(fireAt(at(10 * MINUTE)));
      expect(fired.map((t) => t.scheduleId)).toEqual(["sch-1"]);
      expect(await store().listSchedules({ dueBy: at(100 * MINUTE) })).toHaveLength(1);
    });

    it("two stores racing for the same ticks submit exactly one run per tick", async () => {
      await store().createSchedule(newSchedule("sch-1"), audit);
      await store().createSchedule(newSchedule("sch-2"), audit);
      for (let minute = 0; minute < 5; minute++) {
        const now = at(minute * MINUTE + 1_000);
        const results = await Promise.all([store().fireDueSchedules(fireAt(now)), other().fireDueSchedules(fireAt(now)), store().fireDueSchedules(fireAt(now))]);
        const submitted = results.flat().filter((t) => t.outcome === "submitted");
        expect(submitted.map((t) => `${t.scheduleId} ${t.tick}`).sort()).toEqual([`sch-1 ${at(minute * MINUTE).toISOString()}`, `sch-2 ${at(minute * MINUTE).toISOString()}`]);
      }
      const runs = await store().list({ tenant: "acme", limit: 500 });
      expect(runs).toHaveLength(10);
      expect(new Set(runs.map((r) => r.task.idempotencyKey)).size).toBe(10);
    });

    it("records a tick refused by the active-run cap as skipped with the reason, and moves on (never retried)", async () => {
      await store().submit({ description: "busy", tenant: "acme" }, { runId: "run-busy" });
      await store().createSchedule(newSchedule("sch-1"), audit);
      const fired = await store().fireDueSchedules(fireAt(at(1_000), { maxActiveRuns: 1 }));
      expect(fired).toEqual([expect.objectContaining({ outcome: "refused", reason: "TOO_MANY_ACTIVE_RUNS" })]);
      expect(await store().getSchedule("sch-1")).toMatchObject({ nextRunAt: at(MINUTE), lastRunAt: null, lastTick: { outcome: "refused", reason: "TOO_MANY_ACTIVE_RUNS" } });
      expect(await store().list({ tenant: "acme" })).toHaveLength(1);
      expect((await store().listAudit({ tenant: "acme" })).map((e) => e.action)).toContain("schedule.tick_refused");
      // A reason given by the caller (the tenant's rate limit) is recorded the same way.
      const limited = await store().fireDueSchedules(fireAt(at(MINUTE + 1_000), { refused: new Map([["sch-1", "RATE_LIMITED"]]) }));
      expect(limited).toEqual([expect.objectContaining({ outcome: "refused", reason: "RATE_LIMITED" })]);
    });

    it("answers duplicate, not a second run, when the tick's run already exists", async () => {
      await store().submit({ description: "daily digest", tenant: "acme", idempotencyKey: `schedule:sch-1:${T0.toISOString()}` }, { runId: "run-first" });
      await store().createSchedule(newSchedule("sch-1"), audit);
      const fired = await store().fireDueSchedules(fireAt(at(1_000)));
      expect(fired).toEqual([expect.objectContaining({ outcome: "duplicate", runId: "run-first" })]);
      expect(await store().list({ tenant: "acme" })).toHaveLength(1);
    });

    it("pauses, resumes at a new tick, and deletes, each audited; unknown ids answer undefined / false", async () => {
      await store().createSchedule(newSchedule("sch-1"), audit);
      expect(await store().setSchedulePaused("sch-1", { paused: true, nextRunAt: T0 }, { ...audit, action: "schedule.paused" })).toMatchObject({ paused: true });
      expect(await store().fireDueSchedules(fireAt(at(MINUTE)))).toEqual([]);
      expect(await store().setSchedulePaused("sch-1", { paused: false, nextRunAt: at(3 * MINUTE) }, { ...audit, action: "schedule.resumed" })).toMatchObject({ paused: false, nextRunAt: at(3 * MINUTE) });
      expect(await store().setSchedulePaused("nope", { paused: true, nextRunAt: T0 }, audit)).toBeUndefined();
      expect(await store().deleteSchedule("sch-1", { ...audit, action: "schedule.deleted" })).toBe(true);
      expect(await store().deleteSchedule("sch-1", audit)).toBe(false);
      expect(await store().getSchedule("sch-1")).toBeUndefined();
      expect((await store().listAudit({ tenant: "acme" })).map((e) => e.action)).toEqual(["schedule.created", "schedule.paused", "schedule.resumed", "schedule.deleted"]);
    });
  });
}
