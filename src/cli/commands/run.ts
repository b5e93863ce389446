import { stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { newRunId, parseTask } from "../../core/index.js";
import type { RunOutcome } from "../../engine/index.js";
import { EXIT_OK, exitCodeForCode, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { planJson } from "../render-plan.js";
import { createProgress } from "../progress.js";
import { writeArtifacts } from "../write-artifacts.js";

export interface RunCommandOptions {
  readonly out?: string;
  readonly json?: boolean;
}

export async function runCommand(context: CommandContext, description: string, options: RunCommandOptions): Promise<number> {
  const { io } = context;
  const task = parseTask({ description });
  if (options.out !== undefined) await checkOutDir(options.out);
  const runtime = await context.runtime();
  const runId = newRunId();
  const outDir = options.out ?? join(context.config.CS_AGENTS_OUT_DIR, runId);

  const progress = createProgress(io.stdout, options.json ? "none" : io.stdout.isTTY ? "tty" : "lines");
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  let outcome: RunOutcome;
  try {
    outcome = await runtime.engine.execute({ runId, task, signal: controller.signal, onEvent: (e) => progress.onEvent(e) });
  } finally {
    process.off("SIGINT", onSignal);
    await progress.finish();
  }

  const files = outcome.status === "succeeded" ? await writeArtifacts(outDir, outcome.result.artifacts) : [];
  if (options.json) {
    io.stdout.write(`${JSON.stringify(toJson(runId, outcome, files), null, 2)}\n`);
  } else if (outcome.status === "succeeded") {
    const shown = files.map((f) => relative(process.cwd(), f) || f);
    io.stdout.write(files.length > 0 ? `\nDone. Report written to:\n${shown.map((f) => `  ${f}`).join("\n")}\n` : "\nDone.\n");
  } else {
    io.stderr.write(`error: the run ${outcome.status === "cancelled" ? "was cancelled" : "failed"}: ${outcome.error.message} [${outcome.error.code}]\n`);
  }
  return outcome.status === "succeeded" ? EXIT_OK : exitCodeForCode(outcome.error.code);
}

async function checkOutDir(dir: string): Promise<void> {
  if (dir.trim() === "") throw new UsageError("--out needs a directory path");
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UsageError(`--out "${dir}" exists and is not a directory; expected a directory (it is created when missing)`);
}

function toJson(runId: string, outcome: RunOutcome, files: string[]) {
  const plan = outcome.plan ? planJson(outcome.plan) : null;
  if (outcome.status !== "succeeded") return { runId, status: outcome.status, error: outcome.error, plan };
  return {
    runId,
    status: outcome.status,
    plan,
    output: outcome.result.output,
    artifacts: outcome.result.artifacts.map((a, i) => ({ name: a.name, mediaType: a.mediaType, path: files[i], bytes: Buffer.byteLength(a.content) })),
  };
}
