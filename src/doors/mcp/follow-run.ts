import type { Caller, Service } from "../../api/index.js";

export interface RunProgress {
  /** Subtasks ended so far (finished or failed). */
  readonly progress: number;
  /** Subtasks in the plan, once planned. */
  readonly total?: number;
  readonly message: string;
}

/** Why following stopped: the run ended, it waits for a person, or the stream ended first (client gone, server draining). */
export type FollowEnd = "ended" | "waiting_approval" | "waiting_input" | "interrupted";

const FINAL = new Set(["run.succeeded", "run.failed", "run.cancelled"]);

/**
 * Follows a run's events (through `Service.events`, so the caller's auth and tenant apply) and
 * reports each subtask that ends. Stops when the run ends, or when it waits for an approval: a
 * person has to decide, and the assistant that waits is the one that should ask them.
 */
export async function followRun(service: Service, caller: Caller, runId: string, options: { readonly signal: AbortSignal; readonly onProgress: (progress: RunProgress) => Promise<void> }): Promise<FollowEnd> {
  const events = await service.events(caller, runId, { signal: options.signal });
  let ended = 0;
  let total: number | undefined;
  for await (const event of events) {
    const data = (event.data ?? {}) as { subtaskId?: unknown; status?: unknown };
    if (event.type === "plan.created") {
      total = await plannedSubtasks(service, caller, runId);
      await options.onProgress({ progress: ended, ...(total === undefined ? {} : { total }), message: `planned ${total ?? "?"} subtasks` });
    } else if (event.type === "subtask.finished" || event.type === "subtask.failed") {
      ended += 1;
      const verb = event.type === "subtask.finished" ? "finished" : "failed";
      await options.onProgress({ progress: ended, ...(total === undefined ? {} : { total }), message: `subtask ${String(data.subtaskId ?? "?")} ${verb}` });
    } else if (event.type === "run.waiting_approval") {
      return "waiting_approval";
    } else if (event.type === "run.waiting_input") {
      // A tool asked a person: as for an approval, the assistant that waits should ask them.
      return "waiting_input";
    }
    if (FINAL.has(event.type)) return "ended";
  }
  return "interrupted";
}

async function plannedSubtasks(service: Service, caller: Caller, runId: string): Promise<number | undefined> {
  const { body } = await service.call("getTask", caller, { params: { id: runId } });
  const subtasks = (body as { plan?: { subtasks?: unknown } | null }).plan?.subtasks;
  return Array.isArray(subtasks) ? subtasks.length : undefined;
}
