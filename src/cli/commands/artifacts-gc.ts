import { artifactStoreFor, collectGarbage, DEFAULT_GC_GRACE_MS } from "../../artifacts/index.js";
import { openStore, parseStoreUrl } from "../../store/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";

/**
 * `cs-agents artifacts gc [--dry-run] [--grace-hours <h>]`: deletes the blobs of the configured
 * artifact store that no stored run references and that were written longer ago than the grace
 * period (a run writing now keeps its blobs young). Pruned runs leave such blobs behind.
 */
export async function artifactsGcCommand(context: CommandContext, options: { dryRun?: boolean; graceHours?: string; json?: boolean }): Promise<number> {
  const graceMs = options.graceHours === undefined ? DEFAULT_GC_GRACE_MS : Number(options.graceHours) * 3_600_000;
  if (options.graceHours !== undefined && (options.graceHours.trim() === "" || !Number.isFinite(graceMs) || graceMs < 0)) {
    throw new UsageError(`--grace-hours must be a number of hours >= 0, got "${options.graceHours}"`, { key: "cli.grace-hours", params: { value: options.graceHours } });
  }
  const { config } = context;
  const artifacts = artifactStoreFor(config, parseStoreUrl(config.DATABASE_URL));
  if (!artifacts) throw new UsageError("no artifact store is configured: set CS_AGENTS_ARTIFACTS_DIR or CS_AGENTS_ARTIFACTS_URL", { key: "cli.artifacts-no-store" });
  // The database itself, not wrapped by the artifact store: references are read as rows keep them.
  const store = await openStore(config.DATABASE_URL, { migrate: config.CS_AGENTS_MIGRATE });
  try {
    const report = await collectGarbage(store, artifacts, { graceMs, dryRun: options.dryRun ?? false });
    if (options.json) {
      context.io.stdout.write(`${JSON.stringify({ ...report, graceMs, artifactStore: artifacts.location })}\n`);
      return EXIT_OK;
    }
    const unreferenced = report.blobs - report.referenced;
    context.io.stdout.write(
      `${report.blobs} blobs (${formatBytes(report.bytes)}) in ${artifacts.location}: ${report.referenced} referenced, ${unreferenced} not` +
        `${report.young > 0 ? ` (${report.young} kept: written within the last ${graceMs / 3_600_000} h)` : ""}; ` +
        `${report.deleted} ${report.dryRun ? "would be deleted" : "deleted"} (${formatBytes(report.deletedBytes)})\n`,
    );
    return EXIT_OK;
  } finally {
    await Promise.all([store.close(), artifacts.close?.()]);
  }
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
