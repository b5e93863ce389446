import { backupSqlite, parseStoreUrl } from "../../store/index.js";
import { EXIT_OK, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";

/**
 * `cs-agents backup <file>`: an online copy of the SQLite store while workers keep running.
 * PostgreSQL has its own tools (pg_basebackup, the operator's backups): this refuses it.
 */
export async function backupCommand(context: CommandContext, file: string, options: { json?: boolean }): Promise<number> {
  if (file.trim() === "") throw new UsageError("backup needs a file to write, e.g. cs-agents backup backups/cs-agents-$(date +%F).db");
  const location = parseStoreUrl(context.config.DATABASE_URL);
  if (location.kind !== "sqlite") {
    throw new UsageError("cs-agents backup copies a SQLite store; for PostgreSQL use pg_basebackup or your operator's backups (docs/operations.md#backup-and-restore)");
  }
  const backup = await backupSqlite(location.path, file);
  const { io } = context;
  if (options.json) io.stdout.write(`${JSON.stringify(backup)}\n`);
  else {
    const mib = (backup.bytes / 2 ** 20).toFixed(1);
    io.stdout.write(`backed up ${location.path} to ${backup.path}: ${backup.runs} runs (${backup.unfinishedRuns} unfinished), ${mib} MiB in ${backup.elapsedMs} ms; integrity ok\n`);
    if (backup.unfinishedRuns > 0) io.stdout.write("restored, the unfinished runs resume once their leases expire (docs/operations.md#backup-and-restore)\n");
  }
  return EXIT_OK;
}
