import { newRunId } from "../../core/index.js";
import { checkScheduleSpec, tickAfter } from "../../schedule/index.js";
import type { ScheduleSpec } from "../../schedule/index.js";
import type { Schedule as StoredSchedule } from "../../store/index.js";
import type { Schedule as ScheduleView } from "../../client/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { withStore } from "../open-store.js";
import { remoteClient, type RemoteOptions } from "../remote.js";
import { wholeNumber } from "./worker.js";

/** One schedule as the list prints it, from the store or the API. */
interface Row {
  readonly id: string;
  readonly name: string | null;
  readonly description: string;
  readonly when: string;
  readonly paused: boolean;
  readonly nextRunAt: string;
  readonly last: string;
}

/** `cs-agents schedules`: the schedules of the store (or `--tenant`'s), or of the token's tenant with `--server`. */
export async function schedulesCommand(context: CommandContext, options: { tenant?: string; json?: boolean } & RemoteOptions): Promise<number> {
  const client = remoteClient(context, options);
  if (client && options.tenant !== undefined) throw new UsageError("--tenant does not apply with --server: the token names the tenant");
  const rows = client
    ? (await client.schedules()).items.map(fromView)
    : await withStore(context, async (store) => (await store.listSchedules({ ...(options.tenant === undefined ? {} : { tenant: options.tenant }), limit: 500 })).map(fromStored));
  if (options.json) {
    context.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT_OK;
  }
  if (rows.length === 0) context.io.stdout.write("no schedules\n");
  for (const r of rows) {
    const state = r.paused ? "paused" : `next ${r.nextRunAt}`;
    context.io.stdout.write(`${r.id}  ${r.when}  ${state}${r.last ? `  last: ${r.last}` : ""}  ${r.name ?? r.description}\n`);
  }
  return EXIT_OK;
}

export interface AddOptions extends RemoteOptions {
  cron?: string;
  tz?: string;
  everyMs?: string;
  missed?: string;
  name?: string;
  tenant?: string;
  paused?: boolean;
  json?: boolean;
}

/** `cs-agents schedules add "<task>" --cron ... --tz ...` (or `--every-ms`): prints the id and the first tick. */
export async function scheduleAddCommand(context: CommandContext, description: string, options: AddOptions): Promise<number> {
  const missed = options.missed ?? "skip";
  if (missed !== "skip" && missed !== "run_once") throw new UsageError(`--missed must be "skip" or "run_once", got "${missed}"`);
  const everyMs = wholeNumber(options.everyMs, "--every-ms", 1_000, 366 * 86_400_000);
  const when = {
    task: { description },
    ...(options.cron === undefined ? {} : { cron: options.cron }),
    ...(options.tz === undefined ? {} : { timeZone: options.tz }),
    ...(everyMs === undefined ? {} : { everyMs }),
    missed,
  } as const;
  const body = { ...when, ...(options.name === undefined ? {} : { name: options.name }), ...(options.paused ? { paused: true } : {}) };
  const client = remoteClient(context, options);
  let id: string;
  let nextRunAt: string;
  if (client) {
    if (options.tenant !== undefined) throw new UsageError("--tenant does not apply with --server: the token names the tenant");
    ({ id, nextRunAt } = await client.createSchedule(body));
  } else {
    // The same checks as the API: a bad cron or zone is refused before anything is stored.
    const spec: ScheduleSpec = checkScheduleSpec(when);
    const now = new Date();
    const next = tickAfter(spec, now, now);
    if (next === undefined) throw new UsageError(`--cron "${options.cron ?? ""}" never fires; use a date that exists`);
    id = `sch-${newRunId()}`;
    const tenant = options.tenant ?? "";
    await withStore(context, (store) =>
      store.createSchedule({ id, tenant, name: options.name ?? null, spec: { ...spec }, nextRunAt: next, paused: options.paused ?? false }, { action: "schedule.created", actor: "cli", tenant }),
    );
    nextRunAt = next.toISOString();
  }
  context.io.stdout.write(options.json ? `${JSON.stringify({ id, nextRunAt })}\n` : `${id}\n`);
  if (!options.json) context.io.stderr.write(`first tick ${nextRunAt}${options.paused ? " (paused)" : ""}; runs are submitted by a worker or \`serve --workers\`\n`);
  return EXIT_OK;
}

/** `cs-agents schedules remove <id>`: runs the schedule made stay. */
export async function scheduleRemoveCommand(context: CommandContext, id: string, options: RemoteOptions): Promise<number> {
  const client = remoteClient(context, options);
  const removed = client
    ? await client.deleteSchedule(id).then(
        () => true,
        (error: unknown) => {
          if ((error as { code?: string }).code === "NOT_FOUND") return false;
          throw error;
        },
      )
    : await withStore(context, async (store) => {
        const schedule = await store.getSchedule(id);
        return schedule !== undefined && store.deleteSchedule(id, { action: "schedule.deleted", actor: "cli", tenant: schedule.tenant });
      });
  if (!removed) throw new UsageError(`no schedule with id ${id}`);
  context.io.stdout.write(`removed ${id}\n`);
  return EXIT_OK;
}

function fromStored(s: StoredSchedule): Row {
  const spec = s.spec as unknown as ScheduleSpec;
  return { id: s.id, name: s.name, description: spec.task.description, when: whenOf(spec.cron ?? null, spec.timeZone ?? null, spec.everyMs ?? null), paused: s.paused, nextRunAt: s.nextRunAt.toISOString(), last: lastOf(s.lastTick) };
}

function fromView(s: ScheduleView): Row {
  return { id: s.id, name: s.name, description: s.task.description, when: whenOf(s.cron, s.timeZone, s.everyMs), paused: s.paused, nextRunAt: s.nextRunAt, last: lastOf(s.lastTick) };
}

function whenOf(cron: string | null, timeZone: string | null, everyMs: number | null): string {
  return cron !== null ? `cron "${cron}" ${timeZone ?? "UTC"}` : `every ${(everyMs ?? 0) / 1_000}s`;
}

function lastOf(tick: { readonly outcome: string; readonly runId?: string | null; readonly reason?: string | null } | null): string {
  if (!tick) return "";
  return `${tick.outcome}${tick.runId ? ` ${tick.runId}` : ""}${tick.reason ? ` (${tick.reason})` : ""}`;
}
