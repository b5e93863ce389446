// 6. Fleet: 1 and 3 `cs-agents worker` processes (the real CLI, with the bench plugin) on one
// PostgreSQL database; N no-op 3-step runs submitted up front; runs/s from the first claim to
// the last finish, both read from the database afterwards.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { newRunId } from "../../dist/core/index.js";
import { openStore } from "../../dist/store/index.js";
import { median } from "../measure.mjs";
import { createDatabase, postgresProblem } from "../postgres-database.mjs";

const CLI = fileURLToPath(new URL("../../bin/cs-agents.js", import.meta.url));
const PLUGIN = fileURLToPath(new URL("../noop-plugin.mjs", import.meta.url));
// Runs in flight per worker process: each value is measured with 1 and with 3 processes.
const CONCURRENCIES = (process.env.BENCH_FLEET_CONCURRENCY ?? "32,64").split(",").map(Number);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds a process has used (user + system), from /proc; 0 where /proc is missing. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine (every process, other sessions' too). */
function machineTicks() {
  try {
    const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
    const n = values.map(Number);
    const idle = n[3] + n[4];
    const total = n.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

function startWorker(url, id, concurrency) {
  const env = {
    ...process.env,
    DATABASE_URL: url,
    CS_AGENTS_RETENTION_MAX_RUNS: "0",
    CS_AGENTS_RETENTION_DAYS: "0",
    CS_AGENTS_CACHE_MAX_ENTRIES: "0",
    CS_AGENTS_GRACE_MS: "5000",
  };
  const child = spawn(process.execPath, [CLI, "--plugin", PLUGIN, "worker", "--concurrency", String(concurrency)], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  // The CPU the process used to start (loading modules, connecting) is left out of its CPU per run.
  const ready = new Promise((resolve) => {
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes(" started: ")) resolve(cpuSeconds(child.pid));
    });
    child.on("exit", () => resolve(0));
  });
  const done = new Promise((resolve) => child.on("exit", (code) => resolve({ code, stderr, id })));
  return { child, ready, done };
}

async function submitAll(store, count) {
  const ids = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, () => store.submit({ description: "bench linear3" }, { runId: newRunId() }));
    for (const { run } of await Promise.all(batch)) ids.push(run.id);
  }
  return ids;
}

/** Submits `runs`, starts `workers` processes, waits until every run is final, stops them. */
async function round(url, store, client, workers, concurrency, runs) {
  const ids = await submitAll(store, runs);
  const started = workers === 0 ? [] : Array.from({ length: workers }, (_, i) => startWorker(url, `w${i + 1}`, concurrency));
  const ticksBefore = machineTicks();
  const deadline = performance.now() + 300_000;
  for (;;) {
    const { rows } = await client.query("select count(*)::int as open from runs where id = any($1) and status not in ('succeeded', 'failed', 'cancelled')", [ids]);
    if (rows[0].open === 0) break;
    if (performance.now() > deadline) throw new Error(`${rows[0].open} runs still open after 300 s`);
    await sleep(50);
  }
  const ticksAfter = machineTicks();
  const startupCpu = (await Promise.all(started.map((w) => w.ready))).reduce((a, b) => a + b, 0);
  const workerCpu = started.reduce((sum, w) => sum + cpuSeconds(w.child.pid), 0) - startupCpu;
  for (const w of started) w.child.kill("SIGTERM");
  const exits = await Promise.all(started.map((w) => w.done));
  const bad = exits.filter((e) => e.code !== 0);
  if (bad.length > 0) throw new Error(`worker exited with ${bad[0].code}: ${bad[0].stderr.slice(0, 500)}`);
  const { rows } = await client.query(
    `select (select count(*)::int from runs where id = any($1) and status = 'succeeded') as succeeded,
            (select min(started_at) from steps where run_id = any($1) and key = 'plan') as first_claim,
            (select max(finished_at) from runs where id = any($1)) as last_finish`,
    [ids],
  );
  const { succeeded, first_claim: first, last_finish: last } = rows[0];
  if (succeeded !== runs) throw new Error(`${succeeded} of ${runs} runs succeeded`);
  const seconds = (last - first) / 1000;
  const machineBusy = ticksBefore && ticksAfter ? (ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total) : undefined;
  return { runsPerSecond: runs / seconds, seconds, workerCpuMsPerRun: (workerCpu * 1000) / runs, machineBusy };
}

export async function run({ quick, log }) {
  const problem = await postgresProblem();
  if (problem) return { rows: [], notes: [`PostgreSQL unreachable (${problem}): fleet skipped`] };
  const runs = quick ? 600 : 2_000;
  const reps = quick ? 1 : 3;
  const database = await createDatabase("fleet");
  const store = await openStore(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const rows = [];
  try {
    for (const concurrency of CONCURRENCIES) {
      for (const workers of [1, 3]) {
        const rounds = [];
        for (let i = 0; i < reps; i++) {
          rounds.push(await round(database.url, store, client, workers, concurrency, runs));
          const last = rounds.at(-1);
          log(`${workers} worker process(es) × concurrency ${concurrency}: ${runs} runs in ${last.seconds.toFixed(2)} s = ${last.runsPerSecond.toFixed(0)} runs/s; workers' CPU ${last.workerCpuMsPerRun.toFixed(2)} ms/run; machine ${((last.machineBusy ?? 0) * 100).toFixed(0)} % busy`);
        }
        rows.push({
          section: "fleet",
          key: `fleet-${workers}-c${concurrency}`,
          workers,
          concurrency,
          runs,
          reps,
          runsPerSecond: median(rounds.map((r) => r.runsPerSecond)),
          spread: [Math.min(...rounds.map((r) => r.runsPerSecond)), Math.max(...rounds.map((r) => r.runsPerSecond))],
          workerCpuMsPerRun: median(rounds.map((r) => r.workerCpuMsPerRun)),
          machineBusy: median(rounds.map((r) => r.machineBusy ?? 0)),
        });
      }
    }
  } finally {
    await client.end();
    await store.close();
    await database.drop();
  }
  return {
    rows,
    notes: [`fleet: \`cs-agents worker --concurrency <n>\` processes with bench/noop-plugin.mjs; ${runs.toLocaleString("en")} "bench linear3" runs submitted before the workers start; first claim = earliest plan step, last finish = latest finished_at; median of ${reps} round(s)`],
  };
}
