import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Run } from "../../src/core/index.js";
import type { Store } from "../../src/store/index.js";
import { BIN } from "../cli/spawn-cli.js";

export const PLUGIN = fileURLToPath(new URL("./poison-plugin.mjs", import.meta.url));
const FINAL = new Set(["succeeded", "failed", "cancelled"]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FleetOptions {
  readonly databaseUrl: string;
  readonly workers: number;
  readonly concurrency: number;
  /** Options for node itself, before the script (a small heap). */
  readonly nodeArgs?: readonly string[];
  readonly env?: Record<string, string>;
  readonly cwd: string;
  /** Gives up when the runs are not all final by then. */
  readonly timeoutMs: number;
}

export interface FleetResult {
  readonly runs: readonly Run[];
  /** Worker exits other than the final SIGTERM, in order: when each happened (ms since start). */
  readonly crashesAtMs: readonly number[];
  readonly elapsedMs: number;
}

/**
 * `cs-agents worker` processes with the poison plugin, each started again whenever it exits
 * (as a supervisor would), until every run in the store is final; then they are stopped.
 */
export async function runFleet(store: Store, options: FleetOptions): Promise<FleetResult> {
  const started = performance.now();
  const crashesAtMs: number[] = [];
  const exits: Promise<void>[] = [];
  const children = new Set<ReturnType<typeof spawn>>();
  let stopping = false;
  const start = () => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, "--plugin", PLUGIN, "worker", "--concurrency", String(options.concurrency)], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: options.cwd, DATABASE_URL: options.databaseUrl, CS_AGENTS_LOG_FORMAT: "json", ...options.env },
      stdio: ["ignore", "ignore", "ignore"],
    });
    children.add(child);
    exits.push(
      new Promise((resolve) =>
        child.on("exit", () => {
          children.delete(child);
          if (!stopping) {
            crashesAtMs.push(performance.now() - started);
            start();
          }
          resolve();
        }),
      ),
    );
  };
  for (let i = 0; i < options.workers; i++) start();
  let runs: readonly Run[] = [];
  try {
    while (performance.now() - started < options.timeoutMs) {
      runs = await store.list({ limit: 1_000 });
      if (runs.every((run) => FINAL.has(run.status))) break;
      await sleep(100);
    }
  } finally {
    stopping = true;
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(exits);
  }
  return { runs, crashesAtMs, elapsedMs: performance.now() - started };
}

/** How many runs ended with each status, and with each error code. */
export function tally(runs: readonly Run[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const run of runs) {
    const key = run.error ? `${run.status}:${run.error.code}` : run.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
