import { ApiProblemError } from "../../client/index.js";
import type { CsAgentsClient, RunDetail, StepList } from "../../client/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { oneLine } from "../one-line.js";

/**
 * `status --server`: the run as the API shows it, in the lines `status` prints for a local
 * store. The API does not report storage size or plan parameters, so those are left out.
 */
export async function remoteStatus(context: CommandContext, client: CsAgentsClient, runId: string, options: { json?: boolean }): Promise<number> {
  let run: RunDetail;
  let steps: StepList;
  try {
    [run, steps] = await Promise.all([client.get(runId), client.steps(runId)]);
  } catch (error) {
    if (error instanceof ApiProblemError && error.code === "NOT_FOUND") throw new UsageError(`no run with id ${runId} on the server (or not one of your tenant's)`);
    throw error;
  }
  const waiting = steps.items.filter((s) => s.status === "ambiguous").map((s) => ({ key: s.key, kind: s.kind, input: s.input, approvalId: s.approvalId }));
  if (options.json) {
    const { description, input, result, artifacts, links: _links, ...rest } = run;
    const json = {
      ...rest,
      task: { description, ...(input ? { input } : {}) },
      waitingFor: waiting.map((w) => ({ key: w.key, input: w.input, approvalId: w.approvalId })),
      steps: steps.items.length,
      ...(result ? { output: result.output, artifacts: artifacts.map((a) => ({ name: a.name, mediaType: a.mediaType, bytes: a.bytes })) } : {}),
    };
    context.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return EXIT_OK;
  }
  const out = (line: string) => context.io.stdout.write(`${line}\n`);
  out(`run      ${run.id}`);
  out(`task     ${run.description}`);
  out(`status   ${run.status}${run.error ? ` — ${oneLine(run.error.message)} [${run.error.code}]` : ""}`);
  if (run.wakeAt) out(`wakes    ${run.wakeAt} (holds no worker until then)`);
  if (run.parent) out(`parent   ${run.parent.id} (its subtask ${run.parent.subtask})`);
  out(`created  ${run.createdAt}   updated ${run.updatedAt}`);
  out(`storage  ${steps.items.length} steps`);
  if (run.plan) {
    out(`plan     ${run.plan.source}`);
    for (const s of run.subtasks) {
      const time = s.durationMs === null ? "" : ` ${seconds(s.durationMs)}`;
      out(`  ${s.status.padEnd(9)} ${s.id} [${s.agent}] ${s.title}${time}${s.error ? ` — ${oneLine(s.error.message)}` : ""}`);
    }
  }
  for (const c of run.children) out(`child    ${c.status.padEnd(16)} ${c.id} (subtask ${c.subtask})`);
  for (const w of waiting) {
    const how = w.approvalId === null ? "" : `   |   POST /v1/approvals/${w.approvalId}`;
    if (w.kind === "approval") {
      const { tool, input } = w.input as { tool: string; input: unknown };
      out(`waiting  ${w.key} needs an approval: ${tool} ${JSON.stringify(input)}${how}`);
    } else {
      out(`waiting  ${w.key} needs a decision${how}`);
    }
  }
  for (const q of run.questions) {
    // A child run's question (runId) is answered on that run; the parent's input route takes it too, with runId.
    const asker = q.runId ?? run.id;
    out(`waiting for input: ${oneLine(q.question)}${q.expiresAt ? ` (default answer at ${q.expiresAt})` : ""}${q.runId ? ` (asked by child run ${q.runId})` : ""}`);
    out(`         cs-agents answer ${asker} ${q.step} --json '<answer>' --server <url>   |   POST /v1/tasks/${run.id}/input`);
  }
  for (const a of run.artifacts) out(`artifact ${a.name} (${formatBytes(a.bytes)})`);
  return EXIT_OK;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
