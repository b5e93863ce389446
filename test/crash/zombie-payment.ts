import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { newRunId } from "../../src/core/index.js";
import type { Store } from "../../src/store/index.js";
import { logLines, startWorker } from "./harness.js";

const KEY = "subtask/b/call/0";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

function stopped(pid: number | undefined): boolean {
  // /proc/<pid>/stat: "pid (comm) state …"; T is stopped by a signal.
  return pid !== undefined && / T /.test(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/\(.*\)/, ""));
}

export interface ZombiePaymentResult {
  readonly effects: number;
  readonly zombieCalls: number;
  readonly reclaimMs: number;
}

/**
 * The reproduction: worker A commits the intent of a payment and stops (SIGSTOP) before
 * calling; after its 2 s lease B reclaims the run and finds the payment ambiguous; a person
 * decides --retry and B pays; then A wakes. Counts the payments that really happened.
 */
export async function zombiePayment(store: Store, databaseUrl: string, files: { calls: string; effects: string }): Promise<ZombiePaymentResult> {
  const env = { DATABASE_URL: databaseUrl, LEASE_MS: "2000", CONCURRENCY: "1", CALLS_FILE: files.calls, EFFECTS_FILE: files.effects };
  const { run } = await store.submit({ description: "crash test with payment" }, { runId: newRunId() });
  const zombie = startWorker(["worker"], { ...env, WORKER_ID: "zombie", PAUSE_AFTER_INTENT: KEY });
  let rescuer: ReturnType<typeof startWorker> | undefined;
  try {
    await until(() => zombie.lines.some((l) => l.event === "paused") && stopped(zombie.child.pid), 20_000, "the zombie pauses after the intent");
    const pausedAt = performance.now();
    rescuer = startWorker(["worker"], { ...env, WORKER_ID: "rescuer" });
    await until(async () => (await store.get(run.id))?.status === "waiting_approval", 20_000, "the rescuer finds the payment ambiguous");
    const reclaimMs = performance.now() - pausedAt;
    await store.decide(run.id, KEY, { action: "retry" });
    await until(async () => (await store.get(run.id))?.status === "succeeded", 20_000, "the rescuer pays and finishes the run");
    zombie.child.kill("SIGCONT");
    // A zombie that calls does so within milliseconds of waking; give it ample time.
    await until(() => zombie.lines.some((l) => l.event === "stats"), 10_000, "the zombie runs again");
    await sleep(1_000);
    const payments = logLines(files.effects).filter((l) => l === `crash.send ${run.id}/${KEY}`).length;
    const calls = logLines(files.calls).filter((l) => l === `crash.send ${run.id}/${KEY}`).length;
    expect((await store.get(run.id))?.status).toBe("succeeded");
    return { effects: payments, zombieCalls: calls - 1, reclaimMs };
  } finally {
    zombie.child.kill("SIGCONT");
    zombie.child.kill("SIGTERM");
    rescuer?.child.kill("SIGTERM");
    await Promise.all([zombie.done, rescuer?.done]);
  }
}
