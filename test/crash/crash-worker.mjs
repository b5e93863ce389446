// A real cs-agents worker process for the crash tests, built from dist/ with the crash plugin.
//   node crash-worker.mjs run <run id> <task>   submit the run (if new) and execute it here
//   node crash-worker.mjs worker                claim runs until SIGTERM, then drain
// Settings come from the environment: DATABASE_URL, WORKER_ID, LEASE_MS, CONCURRENCY,
// GRACE_MS, PAUSE_AFTER_INTENT (below) and CRASH_AT (see crash-plugin.mjs; "recorded:<step key>" kills right after that
// step's result is committed, "committed:<step key>" right after any write of that step (an open
// question, say), "asleep:<status>" right after the run is put aside as sleeping or
// waiting_input). Each line on stdout is JSON: {event, ...}.
import { fileURLToPath } from "node:url";
import { createRuntime, loadPlugins, openStore, Worker } from "../../dist/index.js";

const [mode, runId, task] = process.argv.slice(2);
const say = (event, data = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

const store = await openStore(process.env.DATABASE_URL, { migrate: true });
const crashAt = process.env.CRASH_AT ?? "";
if (crashAt.startsWith("recorded:") || crashAt.startsWith("committed:")) {
  const key = crashAt.slice(crashAt.indexOf(":") + 1);
  const any = crashAt.startsWith("committed:");
  const record = store.record.bind(store);
  const recordAll = store.recordAll.bind(store);
  const killAfter = (steps) => {
    if (steps.some((step) => step.key === key && (any || step.status !== "started"))) process.kill(process.pid, "SIGKILL");
  };
  store.record = async (lease, step) => {
    await record(lease, step);
    killAfter([step]);
  };
  store.recordAll = async (lease, steps) => {
    await recordAll(lease, steps);
    killAfter(steps);
  };
  // The last subtask's steps commit with the run's outcome.
  const transition = store.transition.bind(store);
  store.transition = async (lease, update, steps = []) => {
    await transition(lease, update, steps);
    killAfter(steps);
  };
}
if (crashAt.startsWith("asleep:")) {
  const status = crashAt.slice("asleep:".length);
  const sleep = store.sleep.bind(store);
  store.sleep = async (lease, wakeAt, as = "sleeping") => {
    await sleep(lease, wakeAt, as);
    if (as === status) process.kill(process.pid, "SIGKILL");
  };
}
// CRASH_AT="child-submitted": killed right after a child run was submitted, before its parent
// recorded the child's step.
if (crashAt === "child-submitted") {
  const submit = store.submit.bind(store);
  store.submit = async (task, options) => {
    const submitted = await submit(task, options);
    if (options.parent) process.kill(process.pid, "SIGKILL");
    return submitted;
  };
}
// PAUSE_AFTER_INTENT="<step key>": the process stops itself (SIGSTOP) right after that step's
// intent is committed, as a worker paused or cut off from its database at the worst moment.
const pauseAfter = process.env.PAUSE_AFTER_INTENT;
if (pauseAfter) {
  const record = store.record.bind(store);
  store.record = async (lease, step) => {
    await record(lease, step);
    if (step.key === pauseAfter && step.status === "started") {
      say("paused", { runId: lease.runId, epoch: lease.epoch });
      process.kill(process.pid, "SIGSTOP");
    }
  };
}
const plugins = await loadPlugins([fileURLToPath(new URL("./crash-plugin.mjs", import.meta.url))]);
const runtime = createRuntime({ plugins });
const worker = new Worker({
  store,
  engine: runtime.engine,
  ...(process.env.WORKER_ID ? { workerId: process.env.WORKER_ID } : {}),
  concurrency: Number(process.env.CONCURRENCY ?? "4"),
  leaseMs: Number(process.env.LEASE_MS ?? "30000"),
  pollMs: 50,
  onError: (error) => say("error", { message: error.message }),
});
const stats = setInterval(() => say("stats", store.stats()), 100);
// A test that dies must not leave workers behind: each one ends by itself after a while.
setTimeout(() => process.exit(4), Number(process.env.MAX_LIFETIME_MS ?? "180000")).unref();

if (mode === "run") {
  const stored = await store.get(runId);
  if (!stored) await store.submit({ description: task }, { runId });
  // Killed after its last commit, the run has finished: what a resume reports is what is stored.
  const finished = stored && ["succeeded", "failed", "cancelled"].includes(stored.status);
  const end = finished ? { runId, kind: "stored", outcome: { status: stored.status, result: stored.result, error: stored.error } } : await worker.runOne(runId);
  say("end", { end, stats: store.stats() });
  clearInterval(stats);
  await store.close();
} else {
  worker.start();
  say("started", { workerId: worker.id });
  const grace = Number(process.env.GRACE_MS ?? "30000");
  const stop = async (signal) => {
    say("draining", { signal, active: worker.activeRuns.length });
    await worker.stop(grace);
    clearInterval(stats);
    say("stopped", { stats: store.stats(), ended: worker.endedCount });
    await store.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
