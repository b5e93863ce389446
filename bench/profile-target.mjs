// What `bench/profile.mjs` runs under `node --cpu-prof`: sequential 3-step no-op runs for about
// `seconds` after a second of warm-up, in memory or through the SQLite or PostgreSQL worker
// path (PostgreSQL with 32 runs in flight).
// PostgreSQL uses the database BENCH_PROFILE_DATABASE_URL names (bench/sections/profile.mjs
// creates a fresh one).
//   node --cpu-prof bench/profile-target.mjs memory|sqlite|postgres [seconds]
import { Worker } from "../dist/engine/index.js";
import { newRunId } from "../dist/core/index.js";
import { createNoopEngine, openPostgres, openTempSqlite } from "./cs-agents-subject.mjs";

const [target, secondsArg = "5"] = process.argv.slice(2);
const task = { description: "bench linear3" };
let runOnce;
let close = async () => undefined;
if (target === "memory") {
  const engine = createNoopEngine("linear3");
  runOnce = () => engine.execute({ runId: newRunId(), task });
} else if (target === "sqlite" || target === "postgres") {
  const opened = target === "sqlite" ? openTempSqlite() : { store: await openPostgres(process.env.BENCH_PROFILE_DATABASE_URL) };
  const { store } = opened;
  const worker = new Worker({ store, engine: createNoopEngine("linear3"), workerId: "bench-profile" });
  runOnce = async () => {
    const runId = newRunId();
    await store.submit(task, { runId });
    return worker.runOne(runId);
  };
  close = () => (opened.close ? opened.close() : store.close());
} else {
  throw new Error(`unknown target "${target}": memory, sqlite or postgres`);
}
// Warm up for a second; the summary counts samples from `sinceMicros` on (module loading and
// JIT warm-up left out). V8 stamps samples with the monotonic clock process.hrtime reads.
const warmUntil = performance.now() + 1_000;
while (performance.now() < warmUntil) await runOnce();

const sinceMicros = Number(process.hrtime.bigint() / 1000n);
const until = performance.now() + Number(secondsArg) * 1000;
let runs = 0;
// PostgreSQL waits on its commits: 32 runs in flight keep the process busy, as a worker's would.
const lanes = target === "postgres" ? 32 : 1;
await Promise.all(
  Array.from({ length: lanes }, async () => {
    while (performance.now() < until) {
      await runOnce();
      runs++;
    }
  }),
);
await close();
process.stdout.write(`${JSON.stringify({ target, runs, seconds: Number(secondsArg), sinceMicros })}\n`);
