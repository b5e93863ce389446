import { ArtifactError, artifactStoreAt, moveInlineValues, openStoreWithArtifacts, syncArtifacts, type ArtifactStore } from "../../artifacts/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";

/** A directory or an s3:// URL, as a store; a malformed URL is the user's mistake (exit 2). */
function storeAt(location: string): ArtifactStore {
  try {
    return artifactStoreAt(location);
  } catch (error) {
    if (error instanceof ArtifactError && error.code === "ARTIFACT_STORE_CONFIG") throw new UsageError(error.message);
    throw error;
  }
}

/**
 * `cs-agents artifacts sync <from> <to>`: copies to `to` every blob of `from` it lacks, each
 * checked against its hash. Fills a new replica, or a primary replaced after a loss.
 */
export async function artifactsSyncCommand(context: CommandContext, from: string, to: string, options: { json?: boolean }): Promise<number> {
  if (from === to) throw new UsageError(`sync needs two different locations, got "${from}" twice`, { key: "cli.artifacts-same-location", params: { location: from } });
  const source = storeAt(from);
  const target = storeAt(to);
  try {
    const report = await syncArtifacts(source, target);
    context.io.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${report.checked} blobs in ${source.location}: ${report.copied} copied to ${target.location}, ${report.checked - report.copied} there already\n`);
    return EXIT_OK;
  } finally {
    await Promise.all([source.close?.(), target.close?.()]);
  }
}

/**
 * `cs-agents artifacts move-inline`: moves the artifacts and large values that runs written
 * before the artifact store keep in their rows into the configured artifact store.
 */
export async function artifactsMoveInlineCommand(context: CommandContext, options: { json?: boolean }): Promise<number> {
  const { store, artifacts } = await openStoreWithArtifacts(context.config, { migrate: context.config.CS_AGENTS_MIGRATE });
  try {
    if (!artifacts) throw new UsageError("no artifact store is configured: set CS_AGENTS_ARTIFACTS_DIR or CS_AGENTS_ARTIFACTS_URL", { key: "cli.artifacts-no-store" });
    const report = await moveInlineValues(store, artifacts);
    context.io.stdout.write(options.json ? `${JSON.stringify({ ...report, artifactStore: artifacts.location })}\n` : `moved ${report.values} values of ${report.runs} runs into ${artifacts.location}\n`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
}
