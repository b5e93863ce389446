import { mkdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Run } from "../../core/index.js";
import { artifactBytes, newRunId, parseTask } from "../../core/index.js";
import { priorityOption } from "../priority-option.js";
import type { RunEnd, RunOutcome } from "../../engine/index.js";
import { Worker } from "../../engine/index.js";
import { createStoreAuditSink } from "../../audit/index.js";
import type { ServiceStore as Store } from "../../store/index.js";
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_TASK_FAILED, exitCodeForCode, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { withStore } from "../open-store.js";
import { createProgress } from "../progress.js";
import { planJson } from "../render-plan.js";
import { writeArtifacts } from "../write-artifacts.js";
import { defaultOutDir, exportArtifacts, shownPaths, writeMissingArtifacts } from "../export-artifacts.js";
import { oneLine } from "../one-line.js";
import { runErrorLine } from "../stored-error-text.js";

export interface RunCommandOptions {
  readonly out?: string;
  readonly json?: boolean;
  /** Kept on the run (`cs-agents run` claims its own run at once, so it orders nothing here). */
  readonly priority?: string;
}

/** `cs-agents run`: a new run, executed in this process, kept in the store. */
export async function runCommand(context: CommandContext, description: string, options: RunCommandOptions): Promise<number> {
  const priority = priorityOption(options.priority);
  const task = parseTask({ description, ...(priority === undefined ? {} : { priority }) });
  if (options.out !== undefined) await checkOutDir(options.out);
  return withStore(context, async (store) => {
    await offerResume(context, store);
    for (const { run, files } of await writeMissingArtifacts(store, context.config.CS_AGENTS_OUT_DIR)) {
      context.io.stderr.write(`run ${run.id} had succeeded without its files written; wrote ${shownPaths(files).join(", ")}\n`);
    }
    // Submitted already claimed by this process: it starts without a trip through the queue.
    return execute(context, store, options, async (worker, onSubmitted) => {
      const { run, end } = await worker.submitAndRun(task, { runId: newRunId(), onSubmitted });
      return { run, end: (await end) ?? undefined };
    });
  });
}

/** `cs-agents resume <id>`: finishes an unfinished run from its journal. */
export async function resumeCommand(context: CommandContext, runId: string, options: RunCommandOptions): Promise<number> {
  if (options.out !== undefined) await checkOutDir(options.out);
  return withStore(context, async (store) => {
    const run = await store.get(runId);
    if (!run) throw new UsageError(`no run with id ${runId}; list runs with: cs-agents runs`);
    if (run.status === "waiting_approval") {
      context.io.stderr.write(`run ${runId} waits for a decision on an ambiguous step; see: cs-agents status ${runId}\n`);
      return EXIT_TASK_FAILED;
    }
    if (run.status === "succeeded") {
      // Stopped right after it succeeded, a run may have its report only in the store.
      const files = await exportArtifacts(run, options.out ?? defaultOutDir(context.config.CS_AGENTS_OUT_DIR, run.id));
      context.io.stderr.write(`run ${runId} has already succeeded; nothing to resume${files.length > 0 ? `. Its files: ${shownPaths(files).join(", ")}` : ""}\n`);
      return EXIT_OK;
    }
    if (run.status === "failed" || run.status === "cancelled") {
      context.io.stderr.write(`run ${runId} has already ended: ${run.status}; nothing to resume\n`);
      return EXIT_TASK_FAILED;
    }
    return execute(context, store, options, async (worker, onSubmitted) => {
      onSubmitted(run);
      return { run, end: await worker.runOne(run.id) };
    });
  });
}

/** Runs the run `start` makes or names on a worker of this process, showing its progress; the exit code. */
async function execute(
  context: CommandContext,
  store: Store,
  options: RunCommandOptions,
  start: (worker: Worker, onSubmitted: (run: Run) => void) => Promise<{ run: Run; end: RunEnd | undefined }>,
): Promise<number> {
  const { io, config } = context;
  const runtime = await context.runtime();
  const progress = createProgress(io.stdout, options.json ? "none" : io.stdout.isTTY ? "tty" : "lines");
  const worker = new Worker({
    store,
    engine: runtime.engine,
    audit: createStoreAuditSink(store),
    concurrency: 1,
    leaseMs: config.CS_AGENTS_LEASE_MS,
    maxCrashes: config.CS_AGENTS_MAX_CRASHES,
    // After Ctrl-C the engine reports the run as cancelled on its way out; the run is only
    // stopped (resumable), so the display shows nothing more and one line says what happened.
    onEvent: (e) => interrupted || progress.onEvent(e),
  });
  let interrupted = false;
  let madeOutDir: Promise<void> | undefined;
  const stop = () => {
    interrupted = true;
    void worker.stop(0);
  };
  // `on`, not `once`: the terminal renderer's exit hook re-raises SIGINT when it finds no
  // other listener, which would kill the process before the run is let go.
  process.on("SIGINT", stop);
  let run: Run;
  let end: RunEnd | undefined;
  try {
    ({ run, end } = await start(worker, (submitted) => {
      if (!options.json) io.stdout.write(`run ${submitted.id}\n`);
      // Made before the run starts: a later `run` fills a folder left empty by a stop at the very end.
      if (options.out === undefined) madeOutDir = mkdir(defaultOutDir(config.CS_AGENTS_OUT_DIR, submitted.id), { recursive: true }).then(
          () => undefined,
          () => undefined,
        );
    }));
    await madeOutDir;
  } finally {
    process.off("SIGINT", stop);
    await progress.finish();
  }
  // A run that sleeps or waits for an answer gave up its lease: it is paused, not interrupted.
  if (end?.kind === "sleeping" || end?.kind === "waiting_input" || end?.kind === "waiting_children") return pausedRun(io, run.id, end, options.json === true);
  if (!end || end.kind !== "finished" || (interrupted && end.outcome.status === "cancelled")) {
    io.stderr.write(`run ${run.id} was interrupted before it finished; it stays resumable: cs-agents resume ${run.id}\n`);
    return interrupted ? EXIT_INTERRUPTED : EXIT_TASK_FAILED;
  }
  const outcome = end.outcome;
  const outDir = options.out ?? join(config.CS_AGENTS_OUT_DIR, run.id);
  const files = outcome.status === "succeeded" ? await writeArtifacts(outDir, outcome.result.artifacts) : [];
  if (options.json) {
    io.stdout.write(`${JSON.stringify(toJson(run.id, outcome, files), null, 2)}\n`);
  } else if (outcome.status === "succeeded") {
    const shown = files.map((f) => relative(process.cwd(), f) || f);
    io.stdout.write(files.length > 0 ? `\nDone. Report written to:\n${shown.map((f) => `  ${f}`).join("\n")}\n` : "\nDone.\n");
  } else if (outcome.status === "sleeping") {
    io.stderr.write(`run ${run.id} sleeps until ${new Date(outcome.wakeAt).toISOString()}; a worker (cs-agents worker) takes it up when due\n  see: cs-agents status ${run.id}\n`);
  } else if (outcome.status === "waiting_input") {
    io.stderr.write(`run ${run.id} waits for an answer to ${outcome.stepKey}: cs-agents answer ${run.id} ${outcome.stepKey} --json '<answer>'\n  see: cs-agents status ${run.id}\n`);
  } else if (outcome.status === "waiting_children") {
    io.stderr.write(`run ${run.id} waits for its child runs (${outcome.childRunIds.join(", ")}); a worker (cs-agents worker) runs them and then this run\n  see: cs-agents status ${run.id}\n`);
  } else if (outcome.status === "waiting_approval") {
    io.stderr.write(`run ${run.id} waits for a decision: ${oneLine(outcome.error.message)}\n  see: cs-agents status ${run.id}\n`);
  } else {
    io.stderr.write(`${await runErrorLine(io.env, outcome.status, outcome.error)}\n`);
  }
  return outcome.status === "succeeded" || outcome.status === "sleeping" || outcome.status === "waiting_input" || outcome.status === "waiting_children" ? EXIT_OK : exitCodeForCode(outcome.error.code);
}

/** Tells the user about runs an earlier process left unfinished, and how to finish them. */
async function offerResume(context: CommandContext, store: Store): Promise<void> {
  const unfinished = await store.list({ status: ["queued", "planning", "running"], limit: 5 });
  if (unfinished.length === 0) return;
  const lines = unfinished.map((r) => `  cs-agents resume ${r.id}   # ${r.status}: ${r.task.description.slice(0, 50)}`);
  context.io.stderr.write(`${unfinished.length === 5 ? "5 or more" : unfinished.length} unfinished run(s) in the store; to finish them:\n${lines.join("\n")}\n`);
}

export async function checkOutDir(dir: string): Promise<void> {
  if (dir.trim() === "") throw new UsageError("--out needs a directory path");
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UsageError(`--out "${dir}" exists and is not a directory; expected a directory (it is created when missing)`);
}

function toJson(runId: string, outcome: RunOutcome, files: string[]) {
  const plan = outcome.plan ? planJson(outcome.plan) : null;
  if (outcome.status === "sleeping") return { runId, status: outcome.status, wakeAt: new Date(outcome.wakeAt).toISOString(), plan };
  if (outcome.status === "waiting_input") return { runId, status: outcome.status, step: outcome.stepKey, ...(outcome.wakeAt === undefined ? {} : { wakeAt: new Date(outcome.wakeAt).toISOString() }), plan };
  if (outcome.status === "waiting_children") return { runId, status: outcome.status, children: outcome.childRunIds, plan };
  if (outcome.status !== "succeeded") return { runId, status: outcome.status, error: outcome.error, plan };
  return {
    runId,
    status: outcome.status,
    plan,
    output: outcome.result.output,
    artifacts: outcome.result.artifacts.map((a, i) => ({ name: a.name, mediaType: a.mediaType, path: files[i], bytes: artifactBytes(a).length })),
  };
}

/** What `run` says when its run went to sleep or waits for a person's answer; both exit 0. */
function pausedRun(io: CommandContext["io"], runId: string, end: Extract<RunEnd, { kind: "sleeping" | "waiting_input" | "waiting_children" }>, json: boolean): number {
  const wakeAt = end.wakeAt === undefined ? undefined : new Date(end.wakeAt).toISOString();
  if (json) {
    io.stdout.write(`${JSON.stringify({ runId, status: end.kind, ...(end.kind === "waiting_input" ? { step: end.stepKey } : {}), ...(end.kind === "waiting_children" ? { children: end.childRunIds } : {}), ...(wakeAt ? { wakeAt } : {}) }, null, 2)}\n`);
  } else if (end.kind === "waiting_children") {
    io.stderr.write(`run ${runId} waits for its child runs (${end.childRunIds.join(", ")}); a worker (cs-agents worker) runs them and then this run\n  see: cs-agents status ${runId}\n`);
  } else if (end.kind === "waiting_input") {
    io.stderr.write(`run ${runId} waits for an answer to ${end.stepKey}: cs-agents answer ${runId} ${end.stepKey} --json '<answer>'\n  see: cs-agents status ${runId}\n`);
  } else {
    io.stderr.write(`run ${runId} sleeps until ${wakeAt ?? "its timer is due"}; a worker (cs-agents worker) takes it up when due\n  see: cs-agents status ${runId}\n`);
  }
  return EXIT_OK;
}
