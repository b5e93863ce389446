import { openStoreWithArtifacts } from "../../artifacts/index.js";
import { canonicalHash, checkAnswer, CsAgentsError } from "../../core/index.js";
import type { InputRequestRecord } from "../../core/index.js";
import { answerRefusal } from "../../store/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { remoteClient, type RemoteOptions } from "../remote.js";
import { checkRunId } from "./status.js";

/**
 * `cs-agents answer <run> <step> --json '<answer>'`: answers a question a tool asked. Through
 * the API with `--server`, else straight into the store, with the same checks: the step is an
 * open question of a run waiting for input, and the answer fits the question's schema.
 */
export async function answerCommand(context: CommandContext, id: string, stepKey: string, options: { json?: string } & RemoteOptions): Promise<number> {
  const runId = checkRunId(id);
  if (options.json === undefined) throw new UsageError(`--json is required: the answer as JSON, e.g. --json '{"seat":"12C"}'`, { key: "cli.answer-json" });
  const answer = parseAnswer(options.json);
  const client = remoteClient(context, options);
  if (client) {
    const result = await client.answer(runId, stepKey, answer);
    context.io.stdout.write(`answered ${result.step}; run ${result.runId} is ${result.runStatus}\n`);
    return EXIT_OK;
  }
  const { store } = await openStoreWithArtifacts(context.config, { migrate: context.config.CS_AGENTS_MIGRATE });
  try {
    const run = await store.get(runId);
    if (!run) throw new UsageError(`no run with id ${runId}; list runs with: cs-agents runs`, { key: "cli.no-run", params: { id: runId } });
    const step = (await store.load(runId)).find((s) => s.key === stepKey);
    const why = answerRefusal(run.status, step);
    if (why || !step) throw new CsAgentsError("INPUT_NOT_WAITING", `step ${stepKey} of run ${runId} is not waiting for an answer: ${why ?? "the run has no such step"}; cs-agents status ${runId} shows its open questions`);
    const request = step.input as InputRequestRecord;
    const problem = checkAnswer(request.schema, answer);
    if (problem) throw new CsAgentsError("INVALID_INPUT", `--json: ${problem.path.replace(/^\$/, "answer")}: ${problem.message}; the question's schema: ${JSON.stringify(request.schema)}`);
    await store.answerAudited(runId, stepKey, answer, { action: "input.answered", actor: "cli", tenant: run.task.tenant ?? "", details: { stepKey, tool: request.tool, answerHash: canonicalHash(answer) } });
  } finally {
    await store.close();
  }
  context.io.stdout.write(`answered ${stepKey}; run ${runId} is queued again (a worker picks it up, or cs-agents resume ${runId})\n`);
  return EXIT_OK;
}

function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--json expects the answer as JSON, e.g. --json '{"seat":"12C"}' or --json '"yes"'`, { key: "cli.answer-json" });
  }
}
