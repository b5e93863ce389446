import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("./crash-worker.mjs", import.meta.url));

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: readonly Record<string, unknown>[];
  readonly stderr: string;
}

/** Starts a crash-worker process; `done` settles when it exits, however it exits. */
export function startWorker(args: readonly string[], env: Record<string, string>): { child: ChildProcess; lines: Record<string, unknown>[]; done: Promise<ChildResult> } {
  const child = spawn(process.execPath, [WORKER, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<ChildResult>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, lines, stderr })));
  return { child, lines, done };
}

/** Runs one run in a child to its end (or its crash). */
export function runWorker(runId: string, task: string, env: Record<string, string>): Promise<ChildResult> {
  return startWorker(["run", runId, task], env).done;
}

/** Lines of a side-effect or call log, "<tool> <key>" each. */
export function logLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : [];
}

/** How often each line occurs. */
export function countBy(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

export function endOf(result: ChildResult): { kind: string; outcome?: { status: string; result?: { output: unknown }; stepKey?: string } } | undefined {
  const end = result.lines.find((l) => l.event === "end") as { end?: { kind: string; outcome?: { status: string } } } | undefined;
  return end?.end;
}

/** Waits (up to a minute) until the run has `status`; throws at once when it failed or was cancelled instead. */
export async function untilStatus(store: { get(runId: string): Promise<{ status: string; error?: unknown } | undefined> }, runId: string, status: string): Promise<void> {
  for (let i = 0; i < 1_200; i++) {
    const run = await store.get(runId);
    if (run?.status === status) return;
    if (run && ["failed", "cancelled"].includes(run.status)) throw new Error(`run ${runId} ended ${run.status}: ${JSON.stringify(run.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} never became ${status}`);
}
