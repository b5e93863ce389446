import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

export type Started = ChildProcess & {
  output: () => string;
  /**
   * kill -9 of the command itself, resolved once it is gone. `kill("SIGKILL")` would kill only
   * the `timeout` wrapper and leave the command running, orphaned.
   */
  crash: () => Promise<void>;
};

/**
 * Background processes of one test file: each started under coreutils' `timeout`, so that if
 * the test process dies the child still ends, and all stopped by `stopAll` in `afterAll`.
 */
export class Processes {
  readonly #children: ChildProcess[] = [];

  start(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }, limitSeconds = 180): Started {
    const child = spawn("timeout", ["-s", "KILL", String(limitSeconds), command, ...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    this.#children.push(child);
    let output = "";
    child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const crash = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      for (const pid of childrenOf(child.pid ?? 0)) process.kill(pid, "SIGKILL");
      await exited;
    };
    return Object.assign(child, { output: () => output, crash });
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.#children.splice(0).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            // `timeout` passes SIGTERM on to its command; SIGKILL would orphan it.
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
          }),
      ),
    );
  }
}

/** The pids of a process's children (Linux /proc). */
export function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split(" ").filter((s) => s.trim() !== "").map(Number);
}

/** Polls `probe` until it returns a value; throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** The instant vector of a PromQL query, through Prometheus' HTTP API at `base`. */
export async function promQuery(base: string, promql: string): Promise<Sample[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: Sample[] } };
  if (body.status !== "success") throw new Error(`query ${promql} failed: ${body.error ?? res.status}`);
  return body.data.result;
}
