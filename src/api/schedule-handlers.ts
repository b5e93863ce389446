import type { z } from "zod";
import { newRunId } from "../core/index.js";
import { checkScheduleSpec, ScheduleSpecError, tickAfter } from "../schedule/index.js";
import type { ScheduleSpec } from "../schedule/index.js";
import type { Schedule } from "../store/index.js";
import type { Answer, Handler, HandlerContext } from "./handlers.js";
import { ApiError } from "./problem.js";
import type { ScheduleBody, ScheduleIdParams, ScheduleSchema } from "./schemas.js";

const SCHEDULE_ID = /^sch-[0-9a-z-]{1,40}$/;

/** The schedule, if it exists and belongs to the caller's tenant; another tenant's is NOT_FOUND. */
async function tenantSchedule(context: HandlerContext): Promise<Schedule> {
  const { id } = context.input.params as z.infer<typeof ScheduleIdParams>;
  const schedule = SCHEDULE_ID.test(id) ? await context.deps.store.getSchedule(id) : undefined;
  if (!schedule || schedule.tenant !== context.principal.tenant) throw new ApiError("NOT_FOUND", `no schedule ${id.slice(0, 64)}`, { i18n: { key: "api.no-schedule", params: { id: id.slice(0, 64) } } });
  return schedule;
}

/** The first tick after `now`, or a 400 for a cron that never fires (e.g. 30 February). */
function firstTick(spec: ScheduleSpec, now: Date): Date {
  const next = tickAfter(spec, now, now);
  if (next === undefined) throw new ScheduleSpecError(`cron: "${spec.cron ?? ""}" never fires; expected a date that exists`, { key: "api.schedule-cron-never", params: { cron: spec.cron ?? "" } });
  return next;
}

export function scheduleView(schedule: Schedule): z.infer<typeof ScheduleSchema> {
  const spec = schedule.spec as unknown as ScheduleSpec;
  const last = schedule.lastTick;
  return {
    id: schedule.id,
    name: schedule.name,
    task: { description: spec.task.description, ...(spec.task.input ? { input: { ...spec.task.input } } : {}) },
    cron: spec.cron ?? null,
    timeZone: spec.cron === undefined ? null : (spec.timeZone ?? "UTC"),
    everyMs: spec.everyMs ?? null,
    missed: spec.missed,
    paused: schedule.paused,
    nextRunAt: schedule.nextRunAt.toISOString(),
    lastRunAt: schedule.lastRunAt?.toISOString() ?? null,
    lastTick: last && { outcome: last.outcome, tick: last.tick, runId: last.runId ?? null, reason: last.reason ?? null, skippedTicks: last.skippedTicks ?? null },
    createdAt: schedule.createdAt.toISOString(),
    updatedAt: schedule.updatedAt.toISOString(),
  };
}

async function createSchedule(context: HandlerContext): Promise<Answer> {
  const body = context.input.body as z.infer<typeof ScheduleBody>;
  const { principal, deps } = context;
  const spec = checkScheduleSpec({
    task: { description: body.task.description, ...(body.task.input ? { input: body.task.input } : {}) },
    ...(body.cron === undefined ? {} : { cron: body.cron.trim() }),
    ...(body.timeZone === undefined ? {} : { timeZone: body.timeZone }),
    ...(body.everyMs === undefined ? {} : { everyMs: body.everyMs }),
    missed: body.missed ?? "skip",
  });
  const id = `sch-${newRunId()}`;
  const schedule = await deps.store.createSchedule(
    { id, tenant: principal.tenant, name: body.name ?? null, spec: { ...spec }, nextRunAt: firstTick(spec, deps.now()), paused: body.paused ?? false },
    { action: "schedule.created", actor: principal.subject, tenant: principal.tenant, details: { ...(spec.cron ? { cron: spec.cron, timeZone: spec.timeZone ?? "UTC" } : { everyMs: spec.everyMs ?? 0 }), missed: spec.missed } },
  );
  return { status: 201, body: scheduleView(schedule), headers: { Location: `/v1/schedules/${id}` } };
}

async function listSchedules(context: HandlerContext): Promise<Answer> {
  const schedules = await context.deps.store.listSchedules({ tenant: context.principal.tenant, limit: 500 });
  return { status: 200, body: { items: schedules.map(scheduleView) } };
}

async function getSchedule(context: HandlerContext): Promise<Answer> {
  return { status: 200, body: scheduleView(await tenantSchedule(context)) };
}

async function deleteSchedule(context: HandlerContext): Promise<Answer> {
  const schedule = await tenantSchedule(context);
  const { principal } = context;
  const deleted = await context.deps.store.deleteSchedule(schedule.id, { action: "schedule.deleted", actor: principal.subject, tenant: principal.tenant });
  if (!deleted) throw new ApiError("NOT_FOUND", `no schedule ${schedule.id}`, { i18n: { key: "api.no-schedule", params: { id: schedule.id } } });
  return { status: 200, body: scheduleView(schedule) };
}

/** Pause keeps the next tick as it was; resume starts again from the first tick after now. */
function setPaused(paused: boolean): Handler {
  return async (context) => {
    const schedule = await tenantSchedule(context);
    const { principal, deps } = context;
    const nextRunAt = paused ? schedule.nextRunAt : firstTick(schedule.spec as unknown as ScheduleSpec, deps.now());
    const action = paused ? "schedule.paused" : "schedule.resumed";
    const changed = await deps.store.setSchedulePaused(schedule.id, { paused, nextRunAt }, { action, actor: principal.subject, tenant: principal.tenant });
    if (!changed) throw new ApiError("NOT_FOUND", `no schedule ${schedule.id}`, { i18n: { key: "api.no-schedule", params: { id: schedule.id } } });
    return { status: 200, body: scheduleView(changed) };
  };
}

export const scheduleHandlers: Readonly<Record<"createSchedule" | "listSchedules" | "getSchedule" | "deleteSchedule" | "pauseSchedule" | "resumeSchedule", Handler>> = {
  createSchedule,
  listSchedules,
  getSchedule,
  deleteSchedule,
  pauseSchedule: setPaused(true),
  resumeSchedule: setPaused(false),
};
