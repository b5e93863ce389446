import { artifactBytes, FINAL_RUN_STATUSES, openQuestions, RUN_ID_PATTERN, RUN_STATUSES, wakeTimeOf, type Run, type RunStatus } from "../../core/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { withStore } from "../open-store.js";
import { oneLine } from "../one-line.js";
import { storedErrorMessage } from "../stored-error-text.js";
import { ambiguousSteps, subtaskViews } from "../run-view.js";
import { remoteClient, type RemoteOptions } from "../remote.js";
import { remoteStatus } from "./status-remote.js";

export function checkRunId(id: string): string {
  if (!RUN_ID_PATTERN.test(id)) throw new UsageError(`"${id}" is not a run id; expected the form printed by submit or run, e.g. 0mhx2k3a9-4f8k2zq1`, { key: "cli.not-a-run-id", params: { id } });
  return id;
}

export async function statusCommand(context: CommandContext, id: string, options: { json?: boolean } & RemoteOptions): Promise<number> {
  const runId = checkRunId(id);
  const client = remoteClient(context, options);
  if (client) return remoteStatus(context, client, runId, options);
  const view = await withStore(context, async (store) => {
    const run = await store.get(runId);
    if (!run) {
      const postgres = context.config.DATABASE_URL.startsWith("postgres");
      throw new UsageError(`no run with id ${runId} in ${postgres ? "the PostgreSQL store" : "the SQLite store"}`, { key: postgres ? "cli.no-run-postgres" : "cli.no-run-sqlite", params: { id: runId } });
    }
    const steps = await store.load(runId);
    return { run, steps, storageBytes: await store.storageBytes(runId), children: await store.children(runId) };
  });
  const { run, steps, storageBytes, children } = view;
  const subtasks = subtaskViews(run, steps);
  const waiting = ambiguousSteps(steps).map((s) => ({ key: s.key, input: s.input }));
  const questions = FINAL_RUN_STATUSES.has(run.status) ? [] : openQuestions(steps);
  if (options.json) {
    const { result, ...rest } = run;
    const json = {
      ...rest,
      subtasks,
      waitingFor: waiting,
      questions,
      children: children.map((c) => ({ id: c.id, status: c.status, subtask: c.subtask })),
      steps: steps.length,
      storageBytes,
      ...(result ? { output: result.output, artifacts: result.artifacts.map((a) => ({ name: a.name, mediaType: a.mediaType, bytes: artifactBytes(a).length })) } : {}),
    };
    context.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return EXIT_OK;
  }
  const out = (line: string) => context.io.stdout.write(`${line}\n`);
  out(`run      ${run.id}`);
  out(`task     ${run.task.description}`);
  out(`status   ${run.status}${run.error ? ` — ${await storedErrorMessage(context.io.env, run.error)} [${run.error.code}]` : ""}`);
  const wakeAt = run.status === "sleeping" ? wakeTimeOf(steps, run.plan?.subtasks ?? []) : undefined;
  if (wakeAt) out(`wakes    ${wakeAt.toISOString()} (holds no worker until then)`);
  if (run.parent) out(`parent   ${run.parent.runId} (its subtask ${run.parent.subtask})`);
  out(`created  ${run.createdAt.toISOString()}   updated ${run.updatedAt.toISOString()}`);
  out(`storage  ${steps.length} steps, ${formatBytes(storageBytes)}`);
  if (run.plan) {
    out(`plan     ${run.plan.source} ${JSON.stringify(run.plan.params)}`);
    for (const s of subtasks) {
      const time = s.durationMs === undefined ? "" : s.resumed && s.wallMs !== undefined ? ` ${seconds(s.durationMs)} executing, ${seconds(s.wallMs)} wall (resumed)` : ` ${seconds(s.durationMs)}`;
      out(`  ${s.status.padEnd(9)} ${s.id} [${s.agent}] ${s.title}${time}${s.error ? ` — ${oneLine(s.error.message)}` : ""}`);
    }
  }
  for (const c of children) out(`child    ${c.status.padEnd(16)} ${c.id} (subtask ${c.subtask})   cs-agents status ${c.id}`);
  for (const w of waiting) {
    if (/\/approval\/\d+$/.test(w.key)) {
      const { tool, input } = w.input as { tool: string; input: unknown };
      out(`waiting  ${w.key} needs an approval: ${tool} ${JSON.stringify(input)}`);
      out(`         cs-agents approve ${run.id} ${w.key}   |   cs-agents deny ${run.id} ${w.key} --reason '<why>'`);
    } else {
      out(`waiting  ${w.key} needs a decision: cs-agents decide ${run.id} ${w.key} --retry | --done '<json>' | --fail '<reason>'`);
    }
  }
  for (const q of questions) {
    out(`waiting for input: ${oneLine(q.question)}${q.expiresAt ? ` (default answer at ${q.expiresAt})` : ""}`);
    out(`         cs-agents answer ${run.id} ${q.step} --json '<answer>'   |   schema ${JSON.stringify(q.schema)}`);
  }
  if (run.result) for (const a of run.result.artifacts) out(`artifact ${a.name} (${formatBytes(artifactBytes(a).length)})`);
  return EXIT_OK;
}

export async function runsCommand(context: CommandContext, options: { status?: string; tenant?: string; limit?: string; before?: string; json?: boolean }): Promise<number> {
  const status = options.status?.split(",").map((s) => s.trim());
  const bad = status?.filter((s) => !(RUN_STATUSES as readonly string[]).includes(s)) ?? [];
  if (bad.length > 0) throw new UsageError(`unknown status ${bad.join(", ")}; expected one or more of ${RUN_STATUSES.join(", ")}`, { key: "cli.unknown-status", params: { statuses: bad.join(", "), expected: RUN_STATUSES.join(", ") } });
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError(`--limit must be a whole number from 1 to 500, got "${options.limit}"`, { key: "cli.limit-range", params: { value: String(options.limit) } });
  if (options.before !== undefined) checkRunId(options.before);
  const runs: readonly Run[] = await withStore(context, (store) =>
    store.list({
      limit,
      ...(status ? { status: status as RunStatus[] } : {}),
      ...(options.tenant ? { tenant: options.tenant } : {}),
      ...(options.before ? { before: options.before } : {}),
    }),
  );
  if (options.json) {
    const rows = runs.map((r) => ({ id: r.id, status: r.status, task: r.task.description, createdAt: r.createdAt, updatedAt: r.updatedAt, error: r.error }));
    context.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT_OK;
  }
  if (runs.length === 0) context.io.stdout.write("no runs\n");
  for (const r of runs) {
    const task = r.task.description.length > 60 ? `${r.task.description.slice(0, 57)}...` : r.task.description;
    context.io.stdout.write(`${r.id}  ${r.status.padEnd(16)} ${r.createdAt.toISOString()}  ${task}\n`);
  }
  return EXIT_OK;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
