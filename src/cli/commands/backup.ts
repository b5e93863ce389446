import { artifactStoreFor, besideSqliteFile, FilesystemArtifactStore, syncArtifacts } from "../../artifacts/index.js";
import { backupSqlite, parseStoreUrl } from "../../store/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";

/**
 * `cs-agents backup <file>`: an online copy of the SQLite store while workers keep running, and of
 * the artifact folder its rows refer to, into `<file stem>-artifacts/` beside the copy (where a
 * store opened at `<file>` looks for it). Blobs are written before the rows that name them and
 * never change, so copying them after the database holds every blob the copy refers to.
 * A bucket is not copied: it has its own replication (`artifacts sync`).
 * PostgreSQL has its own tools (pg_basebackup, the operator's backups): this refuses it.
 */
export async function backupCommand(context: CommandContext, file: string, options: { json?: boolean }): Promise<number> {
  if (file.trim() === "") throw new UsageError("backup needs a file to write, e.g. cs-agents backup backups/cs-agents-$(date +%F).db");
  const location = parseStoreUrl(context.config.DATABASE_URL);
  if (location.kind !== "sqlite") {
    throw new UsageError("cs-agents backup copies a SQLite store; for PostgreSQL use pg_basebackup or your operator's backups (docs/operations.md#backup-and-restore)");
  }
  const backup = await backupSqlite(location.path, file);
  const artifacts = await copyArtifacts(context, location, backup.path);
  const { io } = context;
  if (options.json) io.stdout.write(`${JSON.stringify({ ...backup, artifacts })}\n`);
  else {
    const mib = (backup.bytes / 2 ** 20).toFixed(1);
    io.stdout.write(`backed up ${location.path} to ${backup.path}: ${backup.runs} runs (${backup.unfinishedRuns} unfinished), ${mib} MiB in ${backup.elapsedMs} ms; integrity ok\n`);
    io.stdout.write(
      artifacts.copied
        ? `artifacts: ${artifacts.blobs} blobs of ${artifacts.from} in ${artifacts.to} (restore the two side by side)\n`
        : `artifacts: ${artifacts.reason}\n`,
    );
    if (backup.unfinishedRuns > 0) io.stdout.write("restored, the unfinished runs resume once their leases expire (docs/operations.md#backup-and-restore)\n");
  }
  return EXIT_OK;
}

type ArtifactsBackup = { readonly copied: true; readonly from: string; readonly to: string; readonly blobs: number } | { readonly copied: false; readonly reason: string };

async function copyArtifacts(context: CommandContext, location: { readonly kind: "sqlite"; readonly path: string }, backupPath: string): Promise<ArtifactsBackup> {
  const source = artifactStoreFor(context.config, location);
  if (source === undefined) return { copied: false, reason: "none configured; values are in the database" };
  if (!(source instanceof FilesystemArtifactStore)) return { copied: false, reason: `kept in ${source.location}, not copied (replicate a bucket with cs-agents artifacts sync)` };
  const target = new FilesystemArtifactStore(besideSqliteFile(backupPath));
  const report = await syncArtifacts(source, target);
  return { copied: true, from: source.dir, to: target.dir, blobs: report.checked };
}
