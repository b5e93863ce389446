import { newRunId, parseTask } from "../../core/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { withStore } from "../open-store.js";
import { priorityOption } from "../priority-option.js";
import { remoteClient, type RemoteOptions } from "../remote.js";

export async function submitCommand(
  context: CommandContext,
  description: string,
  options: { idempotencyKey?: string; tenant?: string; priority?: string; json?: boolean } & RemoteOptions,
): Promise<number> {
  const priority = priorityOption(options.priority);
  const client = remoteClient(context, options);
  let submitted: { id: string; status: string; created: boolean };
  if (client) {
    // The server takes the tenant from the token; a tenant named here would be silently ignored.
    if (options.tenant !== undefined) throw new UsageError("--tenant does not apply with --server: the token names the tenant");
    // The server validates and plans the task itself; its problems come back as typed errors.
    const { run, replayed } = await client.submit({ description, ...(priority === undefined ? {} : { priority }) }, options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey });
    submitted = { id: run.id, status: run.status, created: !replayed };
  } else {
    const task = parseTask({
      description,
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
      ...(priority === undefined ? {} : { priority }),
    });
    // Planning happens on a worker, but a task nobody can plan is refused here, before it is queued.
    await (await context.runtime()).planner.plan(task);
    const { run, created } = await withStore(context, (store) => store.submit(task, { runId: newRunId() }));
    submitted = { id: run.id, status: run.status, created };
  }
  if (options.json) {
    context.io.stdout.write(`${JSON.stringify({ runId: submitted.id, status: submitted.status, created: submitted.created })}\n`);
  } else {
    context.io.stdout.write(`${submitted.id}\n`);
    if (!submitted.created) context.io.stderr.write(`(idempotency key seen before: this is the run it created, now ${submitted.status})\n`);
  }
  return EXIT_OK;
}
