import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { CsAgentsError } from "../../core/index.js";

/** better-sqlite3's largest step: every remaining page at once. */
const ALL_PAGES = 0x7fffffff;

/** What a finished backup holds. */
export interface SqliteBackup {
  readonly path: string;
  readonly bytes: number;
  readonly pages: number;
  readonly runs: number;
  /** Runs not yet succeeded, failed or cancelled when the copy was taken: a restore resumes them. */
  readonly unfinishedRuns: number;
  readonly elapsedMs: number;
}

/** Checks of a copy before it takes the target's name. */
interface CopyCheck {
  readonly runs: number;
  readonly unfinishedRuns: number;
}

/**
 * Copies a live SQLite store to `targetPath` with SQLite's online backup API while other
 * processes keep writing to it. The copy is one consistent snapshot: every page is copied in
 * a single backup step, inside one read transaction; in WAL mode that blocks no writer (only
 * a checkpoint waits for it). The copy is checked (`PRAGMA integrity_check`) under a temporary
 * name and renamed into place only when whole, so `targetPath` is a complete backup or absent.
 *
 * Throws `CsAgentsError` with code `BACKUP_SOURCE_MISSING` (no store at `sourcePath`),
 * `BACKUP_TARGET_EXISTS` (a backup never overwrites) or `BACKUP_FAILED` (the copy or its check failed).
 */
export async function backupSqlite(sourcePath: string, targetPath: string): Promise<SqliteBackup> {
  const source = resolve(sourcePath);
  const target = resolve(targetPath);
  if (!existsSync(source)) throw new CsAgentsError("BACKUP_SOURCE_MISSING", `no SQLite store at ${source}: DATABASE_URL names the store to back up`);
  if (source === target) throw new CsAgentsError("BACKUP_TARGET_EXISTS", `the backup cannot be the store itself (${target}): name a new file`);
  if (existsSync(target)) throw new CsAgentsError("BACKUP_TARGET_EXISTS", `${target} exists: name a new file (a backup never overwrites one)`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  const started = performance.now();
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 10000");
    // The first step only sizes the copy; the answer here makes the next step copy every page
    // (all that remain, however many), so a write in between cannot restart a half-done copy.
    const { totalPages } = await db.backup(partial, { progress: () => ALL_PAGES });
    const check = checkCopy(partial);
    renameSync(partial, target);
    return { path: target, bytes: statSync(target).size, pages: totalPages, ...check, elapsedMs: Math.round(performance.now() - started) };
  } catch (error) {
    for (const file of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(file, { force: true });
    if (error instanceof CsAgentsError) throw error;
    throw new CsAgentsError("BACKUP_FAILED", `backing up ${source} to ${target} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    db.close();
  }
}

function checkCopy(path: string): CopyCheck {
  const copy = new Database(path, { fileMustExist: true });
  try {
    const integrity = copy.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") throw new CsAgentsError("BACKUP_FAILED", `the copy failed SQLite's integrity check: ${String(integrity)}`);
    const counts = copy
      .prepare("SELECT count(*) AS runs, count(*) FILTER (WHERE status NOT IN ('succeeded', 'failed', 'cancelled')) AS unfinished FROM runs")
      .get() as { runs: number; unfinished: number };
    return { runs: counts.runs, unfinishedRuns: counts.unfinished };
  } finally {
    copy.close();
  }
}
