// The HTTP API under load: `cs-agents serve --workers 0` on SQLite (auth off) and a bare Fastify
// "hello" server, each in its own process, loaded with autocannon from this process. After a
// warm-up, the cases run round-robin for several repetitions; medians are reported, with each
// case's requests/s as a share of the hello baseline measured in the same rounds.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { newRunId } from "../../dist/core/index.js";
import { SqliteStore } from "../../dist/store/index.js";
import { summarise } from "../summarise-cpuprofile.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CONNECTIONS = 32;
const STORED_RUNS = 10_000;
const TASK = { description: "生成季度财务报告" };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a server process and waits until it listens. */
async function startServer(args, env, readyText) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes(readyText)) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before listening: ${output.slice(-500)}`)));
  });
  child.removeAllListeners("exit");
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** `serve --workers 0` on a SQLite file, auth off; rate limit off unless `ratePerMinute`. */
async function startApi(dbPath, { ratePerMinute = 0, cpuProfileDir } = {}) {
  const port = await freePort();
  const args = [...(cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : []), "bin/cs-agents.js", "serve", "--workers", "0", "--host", "127.0.0.1", "--port", String(port)];
  const env = {
    CS_AGENTS_AUTH: "off",
    DATABASE_URL: dbPath,
    CS_AGENTS_RATE_LIMIT_PER_MINUTE: String(ratePerMinute),
    // With no workers every submission stays queued: the active-run cap would answer 429 after 100.
    CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT: "1000000000",
    CS_AGENTS_LOG_FORMAT: "json",
    REDIS_URL: "",
  };
  const server = await startServer(args, env, "listening on");
  return { ...server, url: `http://127.0.0.1:${port}` };
}

async function startHello() {
  const port = await freePort();
  const server = await startServer([fileURLToPath(new URL("../api-hello.mjs", import.meta.url)), String(port)], {}, "listening");
  return { ...server, url: `http://127.0.0.1:${port}` };
}

let keySeq = 0;
/** One autocannon run; POST cases get a fresh Idempotency-Key per request. */
async function load(target, durationS) {
  const request = { method: target.method, path: target.path };
  if (target.method === "POST") {
    request.headers = { "content-type": "application/json" };
    request.body = JSON.stringify(TASK);
    request.setupRequest = (req) => ({ ...req, headers: { ...req.headers, "idempotency-key": `bench-${process.pid}-${++keySeq}` } });
  }
  const result = await autocannon({ url: target.url, connections: CONNECTIONS, duration: durationS, requests: [request] });
  return { perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts, total: result.requests.total };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** 10,000 runs in the store before the server starts, so reads see a table of realistic size. */
async function seed(dbPath) {
  const store = SqliteStore.open(dbPath);
  let id;
  for (let i = 0; i < STORED_RUNS; i++) {
    id = newRunId();
    await store.submitAudited({ ...TASK, tenant: "local" }, { runId: id, requestHash: "h", submittedBy: "local" }, { action: "task.submitted", actor: "local", tenant: "local" });
  }
  await store.close();
  return id;
}

export async function run({ quick, log }) {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-api-"));
  const dbPath = join(dir, "api.db");
  const timing = quick ? { warmupS: 1, durationS: 2, reps: 3 } : { warmupS: 3, durationS: 5, reps: 3 };
  const rows = [];
  const notes = [];
  try {
    const taskId = await seed(dbPath);
    const hello = await startHello();
    const reader = await startApi(dbPath);
    // Submissions go to stores of their own: each submission counts its tenant's unfinished runs,
    // and the seeded runs would make every count longer.
    const api = await startApi(join(dir, "submit.db"));
    const limited = await startApi(join(dir, "limited.db"), { ratePerMinute: 1_000_000_000 });
    const cases = [
      { key: "hello", label: 'Fastify "hello" (baseline)', url: hello.url, method: "GET", path: "/hello" },
      { key: "post", label: "POST /v1/tasks (fresh Idempotency-Key)", url: api.url, method: "POST", path: "/v1/tasks" },
      { key: "post-rate-limited", label: "POST /v1/tasks, rate limiter on (never reached)", url: limited.url, method: "POST", path: "/v1/tasks" },
      { key: "get", label: `GET /v1/tasks/{id} (${STORED_RUNS.toLocaleString("en")}+ runs stored)`, url: reader.url, method: "GET", path: `/v1/tasks/${taskId}` },
      { key: "healthz", label: "GET /healthz", url: reader.url, method: "GET", path: "/healthz" },
    ];
    try {
      for (const c of cases) await load(c, timing.warmupS);
      const samples = new Map(cases.map((c) => [c.key, []]));
      for (let rep = 0; rep < timing.reps; rep++) {
        for (const c of cases) {
          const r = await load(c, timing.durationS);
          samples.get(c.key).push(r);
          log(`rep ${rep + 1} ${c.label.padEnd(52)} ${r.perSecond.toFixed(0)} req/s, P50 ${r.p50} ms, P99 ${r.p99} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ""}`);
        }
      }
      const helloPerRep = samples.get("hello").map((r) => r.perSecond);
      for (const c of cases) {
        const s = samples.get(c.key);
        const ratios = s.map((r, i) => r.perSecond / helloPerRep[i]);
        rows.push({ key: c.key, case: c.label, perSecond: median(s.map((r) => r.perSecond)), p50: median(s.map((r) => r.p50)), p99: median(s.map((r) => r.p99)), ratio: median(ratios), non2xx: s.reduce((n, r) => n + r.non2xx, 0), errors: s.reduce((n, r) => n + r.errors, 0) });
      }
    } finally {
      await Promise.all([hello.stop(), reader.stop(), api.stop(), limited.stop()]);
    }
    for (const name of ["submit.db", "limited.db"]) {
      const store = SqliteStore.open(join(dir, name));
      notes.push(`${name}: ${(await store.queueStats()).depth.toLocaleString("en")} runs queued at the end (each submission counted them: see the profile)`);
      await store.close();
    }
    rows.push(await profilePost(dir, timing, log));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  notes.push(
    `${CONNECTIONS} connections; ${timing.warmupS} s warm-up per case, then ${timing.reps} rounds of ${timing.durationS} s per case, round-robin; medians; "× hello" is the median of each round's ratio to the hello baseline of the same round`,
    "servers: `cs-agents serve --workers 0` (SQLite file, WAL; auth off; rate limit off unless stated; active-run cap raised, since with no workers every run stays queued) and a bare Fastify server, each in its own process; load from the bench process with autocannon; all on the same machine",
  );
  return { rows, notes };
}

/** A CPU profile of the server while it takes submissions. */
async function profilePost(dir, timing, log) {
  const profileDir = join(dir, "profile");
  const spawnedAt = performance.now();
  const api = await startApi(join(dir, "profiled.db"), { cpuProfileDir: profileDir });
  const target = { url: api.url, method: "POST", path: "/v1/tasks" };
  await load(target, timing.warmupS);
  const measuredAfterMs = performance.now() - spawnedAt;
  const r = await load(target, timing.durationS);
  await api.stop();
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  const profile = JSON.parse(readFileSync(join(profileDir, file), "utf8"));
  // Start-up and warm-up left out: the profile's clock starts about when the process does.
  const summary = summarise(profile, profile.startTime + measuredAfterMs * 1_000);
  log(`profile: ${r.perSecond.toFixed(0)} req/s under the profiler; top: ${summary.functions.slice(0, 5).map((f) => `${f.name} ${(f.share * 100).toFixed(1)} %`).join(", ")}`);
  return { key: "profile", case: "profile of the server process during POST /v1/tasks (start-up and warm-up left out)", areas: summary.areas.slice(0, 10), functions: summary.functions.slice(0, 15), idleShare: summary.idleShare };
}
