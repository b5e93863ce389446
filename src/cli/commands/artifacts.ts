import { EXIT_OK, EXIT_TASK_FAILED, UsageError } from "../exit-codes.js";
import { defaultOutDir, exportArtifacts, shownPaths } from "../export-artifacts.js";
import type { CommandContext } from "../main.js";
import { withStore } from "../open-store.js";
import { checkOutDir } from "./run.js";
import { checkRunId } from "./status.js";

/** `cs-agents artifacts <run id>`: writes a succeeded run's stored files (the report) again. */
export async function artifactsCommand(context: CommandContext, id: string, options: { out?: string; json?: boolean }): Promise<number> {
  const runId = checkRunId(id);
  if (options.out !== undefined) await checkOutDir(options.out);
  return withStore(context, async (store) => {
    const run = await store.get(runId);
    if (!run) throw new UsageError(`no run with id ${runId}; list runs with: cs-agents runs`, { key: "cli.no-run", params: { id: runId } });
    if (run.status !== "succeeded") {
      context.io.stderr.write(`run ${runId} is ${run.status}; only a succeeded run has artifacts${run.status === "running" || run.status === "queued" || run.status === "planning" ? ` (finish it with: cs-agents resume ${runId})` : ""}\n`);
      return EXIT_TASK_FAILED;
    }
    const files = await exportArtifacts(run, options.out ?? defaultOutDir(context.config.CS_AGENTS_OUT_DIR, runId));
    if (options.json) context.io.stdout.write(`${JSON.stringify({ runId, files }, null, 2)}\n`);
    else context.io.stdout.write(files.length > 0 ? `${shownPaths(files).join("\n")}\n` : `run ${runId} produced no files\n`);
    return EXIT_OK;
  });
}
