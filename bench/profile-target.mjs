// What `bench/profile.mjs` runs under `node --cpu-prof`: sequential 3-step no-op runs for about
// `seconds` after a second of warm-up, in memory or through the SQLite worker path.
//   node --cpu-prof bench/profile-target.mjs memory|sqlite [seconds]
import { Worker } from "../dist/engine/index.js";
import { newRunId } from "../dist/core/index.js";
import { createNoopEngine, openTempSqlite } from "./cs-agents-subject.mjs";

const [target, secondsArg = "5"] = process.argv.slice(2);
const task = { description: "bench linear3" };
let runOnce;
let close = async () => undefined;
if (target === "memory") {
  const engine = createNoopEngine("linear3");
  runOnce = () => engine.execute({ runId: newRunId(), task });
} else if (target === "sqlite") {
  const sqlite = openTempSqlite();
  const worker = new Worker({ store: sqlite.store, engine: createNoopEngine("linear3"), workerId: "bench-profile" });
  runOnce = async () => {
    const runId = newRunId();
    await sqlite.store.submit(task, { runId });
    return worker.runOne(runId);
  };
  close = () => sqlite.close();
} else {
  throw new Error(`unknown target "${target}": memory or sqlite`);
}
// Warm up for a second; the summary counts samples from `sinceMicros` on (module loading and
// JIT warm-up left out). V8 stamps samples with the monotonic clock process.hrtime reads.
const warmUntil = performance.now() + 1_000;
while (performance.now() < warmUntil) await runOnce();
const sinceMicros = Number(process.hrtime.bigint() / 1000n);
const until = performance.now() + Number(secondsArg) * 1000;
let runs = 0;
while (performance.now() < until) {
  await runOnce();
  runs++;
}
await close();
process.stdout.write(`${JSON.stringify({ target, runs, seconds: Number(secondsArg), sinceMicros })}\n`);
