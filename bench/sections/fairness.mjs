// Priorities and fairness (issue 23): how long a tenant's runs wait for a worker while another
// tenant floods the queue, against the same runs on an idle queue; and what one claim costs
// with 10,000 runs queued. Workers are simulated over the Store port (claim one run, hold the
// slot for RUN_MS, finish it), so the numbers are the claim order's, not the engine's.
// BENCH_STORE_DIST=<a build's dist/> measures another build (the "before" of docs/benchmarks.md).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createDatabase, postgresProblem } from "../postgres-database.mjs";

const DIST = pathToFileURL(`${resolve(process.env.BENCH_STORE_DIST ?? "dist")}/`);
const { SqliteStore, PostgresStore } = await import(new URL("store/index.js", DIST).href);

const FLOOD = 10_000;
const SLOTS = 8;
const RUN_MS = 5;
const POLL_MS = 5;
/** CS_AGENTS_MAX_RUNNING_RUNS_PER_TENANT in the third case: one of the SLOTS stays free for others. */
const HELD_PER_TENANT = SLOTS - 1;
const RESULT = { subtasks: {}, artifacts: [], output: null };
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

let next = 0;
const runId = (prefix) => `${prefix}-${String(next++).padStart(7, "0")}`;

/** Submits `count` runs of `tenant`, `inFlight` at a time. */
async function fill(store, tenant, count, inFlight) {
  let left = count;
  const lane = async () => {
    while (left-- > 0) await store.submit({ description: `flood ${tenant}`, tenant }, { runId: runId(tenant) });
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

/**
 * SLOTS workers claim and finish runs until `stop()`; tenant "b" submits `probes` runs one every
 * `everyMs`. Returns how long each of b's runs waited from its submit to its claim (ms).
 */
async function startWaits(store, { probes, everyMs, maxHeldPerTenant = 0 }) {
  const submittedAt = new Map();
  const waits = [];
  let running = true;
  const slot = async (n) => {
    while (running) {
      const [lease] = await store.claim({ workerId: `w${n}`, leaseMs: 60_000, limit: 1, maxCrashes: 3, maxHeldPerTenant });
      if (!lease) {
        await sleep(POLL_MS);
        continue;
      }
      const at = submittedAt.get(lease.runId);
      if (at !== undefined) waits.push(performance.now() - at);
      await sleep(RUN_MS);
      await store.transition(lease, { status: "succeeded", result: RESULT });
    }
  };
  const workers = Array.from({ length: SLOTS }, (_, n) => slot(n));
  for (let i = 0; i < probes; i++) {
    const id = runId("b");
    submittedAt.set(id, performance.now());
    await store.submit({ description: "probe", tenant: "b" }, { runId: id });
    await sleep(everyMs);
  }
  while (waits.length < probes && running) {
    if (performance.now() - [...submittedAt.values()].at(-1) > 120_000) break;
    await sleep(20);
  }
  running = false;
  await Promise.all(workers);
  return waits;
}

/** µs per claim of one run (the claim alone is timed; each claimed run is then finished). */
async function claimCost(store, claims) {
  const times = [];
  for (let i = 0; i < claims; i++) {
    const started = performance.now();
    const [lease] = await store.claim({ workerId: "w", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
    times.push((performance.now() - started) * 1000);
    if (lease) await store.transition(lease, { status: "succeeded", result: RESULT });
  }
  return { p50: percentile(times, 50), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

async function measureStore(name, open, { quick, log }) {
  const rows = [];
  const probes = quick ? 40 : 100;
  const wait = async (label, prepare, maxHeldPerTenant = 0) => {
    const { store, close } = await open();
    try {
      await prepare(store);
      const waits = await startWaits(store, { probes, everyMs: 25, maxHeldPerTenant });
      const row = { section: "fairness", store: name, case: label, kind: "wait", n: waits.length, p50: percentile(waits, 50), p95: percentile(waits, 95), max: Math.max(...waits) };
      rows.push(row);
      log(`${name.padEnd(10)} ${label.padEnd(52)} p50 ${row.p50.toFixed(1)} ms, p95 ${row.p95.toFixed(1)} ms (${row.n} of ${probes} started)`);
    } finally {
      await close();
    }
  };
  await wait("tenant b's runs, idle queue", async () => undefined);
  await wait(`tenant b's runs, tenant a flooding ${FLOOD.toLocaleString("en")} queued`, (store) => fill(store, "a", FLOOD, 16));
  await wait(`tenant b's runs, a flooding, ≤ ${HELD_PER_TENANT} held per tenant`, (store) => fill(store, "a", FLOOD, 16), HELD_PER_TENANT);

  const cost = async (label, prepare, claims) => {
    const { store, close } = await open();
    try {
      await prepare(store);
      const row = { section: "fairness", store: name, case: label, kind: "claim", claims, ...(await claimCost(store, claims)) };
      rows.push(row);
      log(`${name.padEnd(10)} ${label.padEnd(52)} ${row.p50.toFixed(0)} µs per claim (p50), ${row.mean.toFixed(0)} mean`);
    } finally {
      await close();
    }
  };
  const claims = quick ? 200 : 1_000;
  await cost(`claim, ${FLOOD.toLocaleString("en")} queued (tenant a) + 10 (tenant b)`, async (store) => {
    await fill(store, "a", FLOOD, 16);
    await fill(store, "b", 10, 1);
  }, claims);
  await cost(`claim, ${FLOOD.toLocaleString("en")} queued over 100 tenants`, async (store) => {
    for (let t = 0; t < 100; t++) await fill(store, `t${String(t).padStart(3, "0")}`, FLOOD / 100, 16);
  }, claims);
  return rows;
}

export async function run({ quick, log }) {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-fairness-"));
  const rows = [];
  const notes = [`${SLOTS} simulated worker slots, each run holds its slot ${RUN_MS} ms, an idle slot polls every ${POLL_MS} ms; tenant b submits a run every 25 ms`];
  try {
    let file = 0;
    const openSqlite = async () => {
      const store = SqliteStore.open(join(dir, `fair-${file++}.db`));
      return { store, close: () => store.close() };
    };
    rows.push(...(await measureStore("SQLite", openSqlite, { quick, log })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const problem = await postgresProblem();
  if (problem) return { rows, notes: [...notes, `PostgreSQL unreachable (${problem})`] };
  const openPostgres = async () => {
    const database = await createDatabase("fairness");
    const store = await PostgresStore.connect(database.url);
    return {
      store,
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  };
  rows.push(...(await measureStore("PostgreSQL", openPostgres, { quick, log })));
  return { rows, notes };
}
