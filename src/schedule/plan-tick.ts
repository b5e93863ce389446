import { newTraceparent } from "../core/index.js";
import type { Schedule, TickPlan } from "../store/index.js";
import { cronOf, tickAfter } from "./schedule-spec.js";
import type { ScheduleSpec } from "./schedule-spec.js";

/** A due tick older than this is late (missed), not merely reached by a busy loop. */
export const DEFAULT_LATE_AFTER_MS = 60_000;
/** Ticks counted one by one before the count stops (a minutely cron after months of downtime). */
const MAX_COUNTED_TICKS = 10_000;
/** A cron that never fires again (e.g. "0 0 30 2 *") is parked this far ahead. */
const NEVER_MS = 100 * 365 * 86_400_000;

/** The idempotency key of a schedule's run for one tick: the same tick never makes two runs. */
export function tickKey(scheduleId: string, tick: Date): string {
  return `schedule:${scheduleId}:${tick.toISOString()}`;
}

/**
 * What to do with a due schedule at `now`. Ticks T0 = nextRunAt … Tk ≤ now have passed; the
 * newest of them is submitted when it is on time (at most `lateAfterMs` old), or always with
 * `run_once` (one run for all the missed ticks); with `skip` a late tick submits nothing. The
 * next tick is the first one after `now`, so missed ticks are never replayed one by one.
 */
export function planTick(schedule: Schedule, now: Date, lateAfterMs = DEFAULT_LATE_AFTER_MS): TickPlan {
  const spec = schedule.spec as unknown as ScheduleSpec;
  const first = schedule.nextRunAt;
  const { latest, due } = passedTicks(spec, first, now);
  const nextRunAt = tickAfter(spec, now, latest) ?? new Date(now.getTime() + NEVER_MS);
  const onTime = now.getTime() - latest.getTime() <= lateAfterMs;
  if (!onTime && spec.missed !== "run_once") return { skippedTicks: due, firstSkipped: first, nextRunAt };
  const input = { ...spec.task.input, scheduleId: schedule.id };
  const task = { description: spec.task.description, input, ...(schedule.tenant === "" ? {} : { tenant: schedule.tenant }), idempotencyKey: tickKey(schedule.id, latest), traceparent: newTraceparent() };
  return { submit: { tick: latest, task }, skippedTicks: due - 1, ...(due > 1 ? { firstSkipped: first } : {}), nextRunAt };
}

/** The newest tick at or before `now`, counting from `first` (which is due), and how many passed. */
function passedTicks(spec: ScheduleSpec, first: Date, now: Date): { latest: Date; due: number } {
  if (spec.everyMs !== undefined) {
    const due = Math.floor((now.getTime() - first.getTime()) / spec.everyMs) + 1;
    return { latest: new Date(first.getTime() + (due - 1) * spec.everyMs), due };
  }
  let latest = first;
  let due = 1;
  for (let next = tickAfter(spec, first, first); next !== undefined && next.getTime() <= now.getTime(); next = tickAfter(spec, next, first)) {
    latest = next;
    due += 1;
    // Counted far enough: the newest passed tick is the cron's previous run before now.
    if (due >= MAX_COUNTED_TICKS) return { latest: cronOf(spec).previousRuns(1, now)[0] ?? latest, due };
  }
  return { latest, due };
}
