import { newRunId, parseTask } from "../../core/index.js";
import { EXIT_OK } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { withStore } from "../open-store.js";

export async function submitCommand(
  context: CommandContext,
  description: string,
  options: { idempotencyKey?: string; tenant?: string; json?: boolean },
): Promise<number> {
  const task = parseTask({
    description,
    ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
  });
  // Planning happens on a worker, but a task nobody can plan is refused here, before it is queued.
  await (await context.runtime()).planner.plan(task);
  const { run, created } = await withStore(context, (store) => store.submit(task, { runId: newRunId() }));
  if (options.json) {
    context.io.stdout.write(`${JSON.stringify({ runId: run.id, status: run.status, created })}\n`);
  } else {
    context.io.stdout.write(`${run.id}\n`);
    if (!created) context.io.stderr.write(`(idempotency key seen before: this is the run it created, now ${run.status})\n`);
  }
  return EXIT_OK;
}
