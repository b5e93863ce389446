// 4. Memory: RSS and heap after warm-up, after 10,000 and after 100,000 runs (3-step no-op
// plans), measured after a full GC: the in-memory engine, and SQLite with retention on.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMemoryJournal, Worker } from "../../dist/engine/index.js";
import { newRunId } from "../../dist/core/index.js";
import { createNoopEngine, openTempSqlite } from "../cs-agents-subject.mjs";

const WARMUP_RUNS = 1_000;
const PRUNE_EVERY = 1_000;

function snapshot(runs) {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { runs, rssMiB: rss / 2 ** 20, heapMiB: heapUsed / 2 ** 20, heapTotalMiB: heapTotal / 2 ** 20, externalMiB: external / 2 ** 20 };
}

async function track(runOnce, checkpoints, log, label) {
  let done = 0;
  const marks = [];
  const started = performance.now();
  for (const target of [WARMUP_RUNS, ...checkpoints]) {
    while (done < target) {
      await runOnce(done);
      done++;
    }
    marks.push(snapshot(done));
    log(`${label.padEnd(46)} after ${String(done).padStart(7)} runs: RSS ${marks.at(-1).rssMiB.toFixed(1)} MiB, heap ${marks.at(-1).heapMiB.toFixed(1)} MiB`);
  }
  return { marks, seconds: (performance.now() - started) / 1000 };
}

function row(key, subject, { marks, seconds }) {
  const [warm, mid, end] = marks;
  return {
    section: "memory",
    key,
    subject,
    warm,
    mid,
    end,
    rssGrowth: (end.rssMiB - mid.rssMiB) / mid.rssMiB,
    heapGrowth: (end.heapMiB - mid.heapMiB) / mid.heapMiB,
    runsPerSecond: (end.runs - WARMUP_RUNS) / seconds,
  };
}

/** The variants, each run in a process of its own so one's heap never counts in another's. */
const VARIANTS = {
  // A journal per run, dropped with the run: what the engine itself keeps.
  "memory-per-run": {
    subject: "in-memory, a journal per run",
    setup() {
      const engine = createNoopEngine("linear3");
      return async () => expectSucceeded(await engine.execute({ runId: newRunId(), task: TASK, journal: createMemoryJournal() }));
    },
  },
  // One journal for every run (createRuntime()'s default): it keeps every step of every run.
  "memory-shared": {
    subject: "in-memory, one shared journal (createRuntime()'s default, no retention)",
    short: true,
    setup() {
      const engine = createNoopEngine("linear3");
      return async () => expectSucceeded(await engine.execute({ runId: newRunId(), task: TASK }));
    },
  },
  // SQLite, the worker path, finished runs pruned to the newest 1,000 every 1,000 runs.
  "memory-sqlite": {
    subject: `SQLite (one Worker, runOne), retention: newest ${PRUNE_EVERY.toLocaleString("en")} kept`,
    setup() {
      const sqlite = openTempSqlite();
      const worker = new Worker({ store: sqlite.store, engine: createNoopEngine("linear3"), workerId: "bench-memory" });
      let count = 0;
      const runOnce = async () => {
        const runId = newRunId();
        await sqlite.store.submit(TASK, { runId });
        const end = await worker.runOne(runId);
        expectSucceeded(end.outcome);
        if (++count % PRUNE_EVERY === 0) await sqlite.store.prune({ maxFinishedRuns: PRUNE_EVERY });
      };
      runOnce.describe = () => `Worker.ended keeps the newest ${worker.ended.length.toLocaleString("en")} of ${worker.endedCount.toLocaleString("en")} ended runs`;
      runOnce.cleanup = () => sqlite.close();
      return runOnce;
    },
  },
};

const TASK = { description: "bench linear3" };

function expectSucceeded(outcome) {
  if (outcome?.status !== "succeeded") throw new Error(`run ended as ${outcome?.status}`);
}

/** In a child process: one variant, printed as JSON. */
export async function runVariant(name, quick, log) {
  const variant = VARIANTS[name];
  const checkpoints = variant.short ? (quick ? [2_000, 6_000] : [10_000, 30_000]) : quick ? [2_000, 10_000] : [10_000, 100_000];
  const runOnce = variant.setup();
  const tracked = await track(runOnce, checkpoints, log, variant.subject);
  const result = row(name, variant.subject, tracked);
  if (variant.short) result.bytesPerRun = ((result.end.heapMiB - result.mid.heapMiB) * 2 ** 20) / (result.end.runs - result.mid.runs);
  if (runOnce.describe) result.detail = runOnce.describe();
  await runOnce.cleanup?.();
  return result;
}

export async function run({ quick }) {
  const rows = [];
  for (const name of Object.keys(VARIANTS)) {
    const args = ["--expose-gc", "--no-warnings", fileURLToPath(import.meta.url), name, ...(quick ? ["--quick"] : [])];
    const child = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
    if (child.status !== 0) throw new Error(`memory variant ${name} exited with ${child.status}`);
    rows.push(JSON.parse(child.stdout.trim().split("\n").at(-1)));
  }
  const [first, second] = quick ? [2_000, 10_000] : [10_000, 100_000];
  return {
    rows,
    notes: [
      `memory: 3-step no-op runs, sequential, each variant in a fresh process; RSS and heap after 3 forced GCs; growth between ${first.toLocaleString("en")} and ${second.toLocaleString("en")} runs (the shared journal: ${quick ? "2,000 and 6,000" : "10,000 and 30,000"})`,
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, flag] = process.argv.slice(2);
  const result = await runVariant(name, flag === "--quick", (line) => process.stderr.write(`  ${line}\n`));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
