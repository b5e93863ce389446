import { openStoreWithArtifacts } from "../../artifacts/index.js";
import { canonicalHash, CsAgentsError, formatZodIssues, newRunId, newTraceparent, parseTask } from "../../core/index.js";
import { forkOutputProblem, forkTask, planFork } from "../../store/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { remoteClient, type RemoteOptions } from "../remote.js";
import { checkRunId } from "./status.js";

export interface ForkOptions extends RemoteOptions {
  readonly output?: string;
  readonly input?: string;
}

/**
 * `cs-agents fork <run> <step> [--output <json>] [--input <json>]`: a new run from a step of
 * another. Through the API with `--server`, else straight into the store, with the same checks:
 * the step is in the run's journal, the output fits the step, the input is a task's input.
 */
export async function forkCommand(context: CommandContext, id: string, stepKey: string, options: ForkOptions): Promise<number> {
  const parentId = checkRunId(id);
  const output = options.output === undefined ? undefined : { value: parseJson("--output", options.output) };
  const input = options.input === undefined ? undefined : parseInput(options.input);
  const client = remoteClient(context, options);
  if (client) {
    const { run } = await client.fork(parentId, { step: stepKey, ...(output ? { output: output.value } : {}), ...(input ? { input } : {}) });
    return done(context, run.id, parentId, stepKey, options);
  }
  const { store } = await openStoreWithArtifacts(context.config, { migrate: context.config.CS_AGENTS_MIGRATE });
  let forkId: string;
  try {
    const parent = await store.get(parentId);
    if (!parent) throw new UsageError(`no run with id ${parentId}; list runs with: cs-agents runs`, { key: "cli.no-run", params: { id: parentId } });
    const steps = await store.load(parentId);
    const plan = planFork(parentId, steps, stepKey, output !== undefined);
    if (plan.replaced && output) {
      const runtime = await context.runtime();
      const problem = forkOutputProblem(plan.replaced.kind, steps.find((s) => s.key === stepKey), output.value, {
        agents: new Set(runtime.agents.names()),
        toolOutput: (tool, value) => {
          if (!runtime.tools.has(tool)) return undefined;
          const parsed = runtime.tools.get(tool).output.safeParse(value);
          return parsed.success ? undefined : formatZodIssues(parsed.error.issues);
        },
      });
      if (problem) throw new CsAgentsError("INVALID_INPUT", `--output: ${problem}`);
    }
    const task = parseTask(forkTask(parent.task, { ...(input ? { input } : {}), traceparent: newTraceparent() }));
    const requestHash = canonicalHash({ parent: parentId, step: stepKey, ...(output ? { output: output.value } : {}), ...(input ? { input } : {}) });
    const submission = await store.forkAudited(
      { parentId, stepKey, task, ...(output ? { output } : {}) },
      { runId: newRunId(), requestHash, submittedBy: "cli" },
      { action: "task.forked", actor: "cli", tenant: parent.task.tenant ?? "", details: { requestHash, parent: parentId, step: stepKey, outputReplaced: output !== undefined, inputReplaced: input !== undefined } },
    );
    forkId = submission.run.id;
  } finally {
    await store.close();
  }
  return done(context, forkId, parentId, stepKey, options);
}

function done(context: CommandContext, forkId: string, parentId: string, stepKey: string, options: RemoteOptions): number {
  const server = options.server ? ` --server ${options.server}` : "";
  context.io.stdout.write(`${forkId}\n`);
  context.io.stdout.write(`forked ${parentId} at ${stepKey}: run ${forkId} is queued\n`);
  context.io.stdout.write(`next: a worker (cs-agents worker, or serve) runs it; cs-agents resume ${forkId} runs it here; cs-agents status ${forkId}${server} shows it\n`);
  return EXIT_OK;
}

function parseJson(flag: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${flag} expects JSON, e.g. ${flag} '{"total":42}' or ${flag} '"yes"'`);
  }
}

function parseInput(text: string): Record<string, unknown> {
  const value = parseJson("--input", text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UsageError(`--input expects a JSON object (the task's input), e.g. --input '{"quarter":"2024Q2"}'`);
  return value as Record<string, unknown>;
}
