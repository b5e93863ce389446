import { Cron } from "croner";
import { CsAgentsError } from "../core/index.js";
import type { MessageRef } from "../core/index.js";

/** A schedule that cannot be: the message names the field and what is expected (INVALID_INPUT, a 400). */
export class ScheduleSpecError extends CsAgentsError {
  constructor(message: string, i18n: MessageRef, options: { cause?: unknown } = {}) {
    super("INVALID_INPUT", message, { ...options, i18n });
  }
}

/** What a schedule submits and when: exactly one of `cron` (with an optional zone) or `everyMs`. */
export interface ScheduleSpec {
  readonly task: { readonly description: string; readonly input?: Readonly<Record<string, unknown>> };
  readonly cron?: string;
  /** IANA zone the cron is read in; default UTC. */
  readonly timeZone?: string;
  readonly everyMs?: number;
  /** After downtime: `skip` the missed ticks, or `run_once` for all of them. */
  readonly missed: "skip" | "run_once";
}

export const MIN_EVERY_MS = 1_000;
/** One year: a longer interval is a cron's job. */
export const MAX_EVERY_MS = 366 * 86_400_000;

/**
 * Checks what the body's shape cannot: one of cron/everyMs, a 5-field cron, a known IANA zone.
 * @throws ScheduleSpecError (INVALID_INPUT) naming the field and what is expected.
 */
export function checkScheduleSpec(spec: ScheduleSpec): ScheduleSpec {
  if ((spec.cron === undefined) === (spec.everyMs === undefined)) throw new ScheduleSpecError('body: give exactly one of "cron" (e.g. "0 9 * * 1-5") or "everyMs" (≥ 1000)', { key: "api.schedule-one-of" });
  if (spec.everyMs !== undefined) {
    if (spec.timeZone !== undefined) throw new ScheduleSpecError('timeZone: only a cron schedule has a time zone; drop it or use "cron"', { key: "api.schedule-zone-with-every" });
    if (!Number.isInteger(spec.everyMs) || spec.everyMs < MIN_EVERY_MS || spec.everyMs > MAX_EVERY_MS) throw new ScheduleSpecError(`everyMs: expected a whole number of milliseconds from ${MIN_EVERY_MS} to ${MAX_EVERY_MS}`, { key: "api.schedule-every-ms", params: { min: MIN_EVERY_MS, max: MAX_EVERY_MS } });
    return spec;
  }
  if (spec.timeZone !== undefined && !isTimeZone(spec.timeZone)) throw new ScheduleSpecError(`timeZone: "${spec.timeZone.slice(0, 64)}" is not an IANA time zone; expected e.g. "Asia/Shanghai" or "UTC"`, { key: "api.schedule-zone", params: { zone: spec.timeZone.slice(0, 64) } });
  cronOf(spec);
  return spec;
}

/** The cron as croner reads it, in the spec's zone (UTC by default). */
export function cronOf(spec: ScheduleSpec): Cron {
  const pattern = (spec.cron ?? "").trim();
  if (pattern.split(/\s+/).length !== 5) throw new ScheduleSpecError(`cron: "${pattern.slice(0, 64)}" must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5"`, { key: "api.schedule-cron-fields", params: { cron: pattern.slice(0, 64) } });
  try {
    return new Cron(pattern, { timezone: spec.timeZone ?? "UTC", mode: "5-part" });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, "").slice(0, 200) : "unreadable";
    throw new ScheduleSpecError(`cron: "${pattern.slice(0, 64)}" is not a valid 5-field cron (${reason})`, { key: "api.schedule-cron-invalid", params: { cron: pattern.slice(0, 64), reason } }, { cause: error });
  }
}

/** The first tick strictly after `after`; undefined when a cron never fires again (e.g. 30 February). */
export function tickAfter(spec: ScheduleSpec, after: Date, anchor: Date): Date | undefined {
  if (spec.everyMs !== undefined) {
    // Interval ticks stay on the grid anchor + k·everyMs, whatever the loop's delays.
    const k = Math.floor((after.getTime() - anchor.getTime()) / spec.everyMs) + 1;
    return new Date(anchor.getTime() + Math.max(1, k) * spec.everyMs);
  }
  return cronOf(spec).nextRun(after) ?? undefined;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}
