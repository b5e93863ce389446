import type { AmbiguousDecision } from "../../store/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { withStore } from "../open-store.js";
import { checkRunId } from "./status.js";

export async function migrateCommand(context: CommandContext): Promise<number> {
  const applied = await withStore(context, (store) => store.migrate(), { migrate: false });
  context.io.stdout.write(applied.length === 0 ? "schema up to date\n" : `applied migrations: ${applied.join(", ")}\n`);
  return EXIT_OK;
}

export async function decideCommand(
  context: CommandContext,
  id: string,
  stepKey: string,
  options: { retry?: boolean; done?: string; fail?: string },
): Promise<number> {
  const runId = checkRunId(id);
  const chosen = [options.retry, options.done, options.fail].filter((x) => x !== undefined && x !== false).length;
  if (chosen !== 1) throw new UsageError("choose exactly one of --retry, --done '<json result>' or --fail '<reason>'", { key: "cli.decide-one-of" });
  let decision: AmbiguousDecision;
  if (options.retry) decision = { action: "retry" };
  else if (options.done !== undefined) decision = { action: "done", output: parseJson(options.done) };
  else decision = { action: "fail", reason: (options.fail ?? "").trim() || "failed by a person" };
  await withStore(context, (store) => store.decide(runId, stepKey, decision));
  context.io.stdout.write(`decided ${stepKey}: ${decision.action}; run ${runId} is queued again (cs-agents resume ${runId}, or a worker picks it up)\n`);
  return EXIT_OK;
}

export async function pruneCommand(context: CommandContext, options: { olderThanDays?: string; keep?: string }): Promise<number> {
  const days = options.olderThanDays === undefined ? context.config.CS_AGENTS_RETENTION_DAYS : Number(options.olderThanDays);
  const keep = options.keep === undefined ? context.config.CS_AGENTS_RETENTION_MAX_RUNS : Number(options.keep);
  if (!(days >= 0)) throw new UsageError(`--older-than-days must be a number >= 0, got "${options.olderThanDays}"`, { key: "cli.older-than-days", params: { value: String(options.olderThanDays) } });
  if (!Number.isInteger(keep) || keep < 0) throw new UsageError(`--keep must be a whole number >= 0, got "${options.keep}"`, { key: "cli.keep", params: { value: String(options.keep) } });
  const deleted = await withStore(context, (store) =>
    store.prune({ ...(days > 0 ? { maxAgeMs: days * 86_400_000 } : {}), ...(keep > 0 ? { maxFinishedRuns: keep } : {}) }),
  );
  context.io.stdout.write(`deleted ${deleted} finished run(s)\n`);
  return EXIT_OK;
}

/** `cs-agents approve|deny <run> <step>`: the decision on a sensitive tool's approval step. */
export async function approvalCommand(context: CommandContext, id: string, stepKey: string, approve: boolean, options: { reason?: string }): Promise<number> {
  const runId = checkRunId(id);
  if (!/^subtask\/[^/]+\/approval\/\d+$/.test(stepKey)) {
    throw new UsageError(`"${stepKey}" is not an approval step; expected subtask/<id>/approval/<n> as \`cs-agents status\` shows it`, { key: "cli.not-approval-step", params: { step: stepKey } });
  }
  const decision: AmbiguousDecision = approve
    ? { action: "done", output: { approved: true, by: "cli" } }
    : { action: "fail", reason: options.reason?.trim() || "denied by a person" };
  await withStore(context, (store) => store.decide(runId, stepKey, decision));
  context.io.stdout.write(`${approve ? "approved" : "denied"} ${stepKey}; run ${runId} is queued again\n`);
  return EXIT_OK;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--done expects the step's result as JSON, e.g. --done '{"sent":true}'`, { key: "cli.done-json" });
  }
}
