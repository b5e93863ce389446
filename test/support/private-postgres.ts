import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

/**
 * A throwaway PostgreSQL cluster (initdb + pg_ctl in a temporary directory, on a free port) that
 * a test may stop and start, unlike the shared server. As root, the cluster runs as `postgres`
 * (initdb refuses root).
 */
export interface PrivatePostgres {
  readonly url: string;
  stop(): void;
  start(): void;
  destroy(): void;
  /**
   * `pg_basebackup` of this running cluster (WAL streamed along, so the copy is consistent on
   * its own) into a fresh data directory, then a new server started on it, on a free port.
   */
  restoreBaseBackup(): Promise<RestoredPostgres>;
}

/** A cluster started from a base backup, with how long each part took. */
export interface RestoredPostgres extends PrivatePostgres {
  readonly backupMs: number;
  readonly startMs: number;
}

/** Whether a private cluster can be made; under CI=true a missing initdb is an error, not a skip. */
export function privatePostgresAvailable(suite: string): boolean {
  if (spawnSync("initdb", ["--version"]).status === 0) return true;
  const message = `${suite}: no initdb on PATH to make a private PostgreSQL cluster`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`WARNING: ${message}; the suite did not run`);
  return false;
}


/** Runs PostgreSQL's programs as `postgres` when this process is root (they refuse root). */
function asPostgres(command: string, args: readonly string[]): void {
  const [file, argv] = process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
  execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
}

/** A temporary directory the cluster's user owns. */
function clusterDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-pg-"));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = clusterDir();
  const data = join(dir, "data");
  asPostgres("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  return serve(dir, data);
}

/** Starts a server on `data` (in `dir`, which also holds its socket and log) on a free port. */
async function serve(dir: string, data: string): Promise<PrivatePostgres> {
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=30 -c shared_buffers=16MB`;
  const start = (): void => asPostgres("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "-t", "30", "start"]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]),
    start,
    destroy() {
      const asRoot = process.getuid?.() === 0;
      spawnSync(asRoot ? "runuser" : "pg_ctl", asRoot ? ["-u", "postgres", "--", "pg_ctl", "-D", data, "-m", "immediate", "stop"] : ["-D", data, "-m", "immediate", "stop"], { stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
    async restoreBaseBackup() {
      const target = clusterDir();
      const copy = join(target, "data");
      const began = performance.now();
      asPostgres("pg_basebackup", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-D", copy, "-X", "stream", "-c", "fast", "--no-sync"]);
      const backupMs = performance.now() - began;
      const restored = await serve(target, copy);
      return { ...restored, backupMs, startMs: performance.now() - began - backupMs };
    },
  };
}
