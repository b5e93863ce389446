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
}

/** Whether a private cluster can be made; under CI=true a missing initdb is an error, not a skip. */
export function privatePostgresAvailable(suite: string): boolean {
  if (spawnSync("initdb", ["--version"]).status === 0) return true;
  const message = `${suite}: no initdb on PATH to make a private PostgreSQL cluster`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`WARNING: ${message}; the suite did not run`);
  return false;
}


export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: readonly string[]): void => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
    execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  };
  const data = join(dir, "data");
  if (asRoot) {
    const ids = execFileSync("id", ["-u", "postgres"]).toString().trim();
    const gid = execFileSync("id", ["-g", "postgres"]).toString().trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=30 -c shared_buffers=16MB`;
  const start = (): void => run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "-t", "30", "start"]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]),
    start,
    destroy() {
      spawnSync(asRoot ? "runuser" : "pg_ctl", asRoot ? ["-u", "postgres", "--", "pg_ctl", "-D", data, "-m", "immediate", "stop"] : ["-D", data, "-m", "immediate", "stop"], { stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
