// The HTTP API under load: `cs-agents serve` (SQLite unless stated; auth off unless stated) and a
// bare Fastify "hello" server, each in its own process, loaded with autocannon from this process.
// After a warm-up, the cases run round-robin for several repetitions; medians are reported, with
// each case's requests/s as a share of the hello baseline measured in the same rounds.
// Cases: submissions with workers off and on, the rate limiter and the active-run cap
// on and off, one task and the list with 10,000 runs stored, RS256 tokens from a local JWKS, and
// PostgreSQL; then a CPU profile of the server taking submissions.
import { spawn } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { newRunId } from "../../dist/core/index.js";
import { SqliteStore } from "../../dist/store/index.js";
import { createDatabase, postgresProblem } from "../postgres-database.mjs";
import { summarise } from "../summarise-cpuprofile.mjs";
import { freePort } from "../free-port.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CONNECTIONS = 32;
const STORED_RUNS = 10_000;
const OTHER_TENANT_QUEUED = 13_000;
const TASK = { description: "生成季度财务报告" };

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
    output,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * `cs-agents serve` on `databaseUrl` (a SQLite path or a PostgreSQL URL). Defaults: no workers,
 * auth off, rate limit off, active-run cap off (with no workers every run stays queued).
 */
async function startApi(databaseUrl, { workers = 0, ratePerMinute = 0, maxActiveRuns = 0, maxInFlight = 0, maxEventLoopDelayMs = 0, jwt, cpuProfileDir } = {}) {
  const port = await freePort();
  const args = [...(cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : []), "bin/cs-agents.js", "serve", "--workers", String(workers), "--host", "127.0.0.1", "--port", String(port)];
  const env = {
    CS_AGENTS_AUTH: jwt ? "jwt" : "off",
    ...(jwt ? { CS_AGENTS_JWT_ISSUER: jwt.issuer, CS_AGENTS_JWT_AUDIENCE: jwt.audience, CS_AGENTS_JWT_JWKS_URL: jwt.jwksUrl } : {}),
    DATABASE_URL: databaseUrl,
    CS_AGENTS_MIGRATE: "true",
    CS_AGENTS_RATE_LIMIT_PER_MINUTE: String(ratePerMinute),
    CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT: String(maxActiveRuns),
    CS_AGENTS_API_MAX_IN_FLIGHT: String(maxInFlight),
    CS_AGENTS_API_MAX_EVENT_LOOP_DELAY_MS: String(maxEventLoopDelayMs),
    CS_AGENTS_LOG_FORMAT: "json",
    REDIS_URL: "",
  };
  const server = await startServer(args, env, "listening on");
  return { ...server, url: `http://127.0.0.1:${port}` };
}

/** A local identity provider: an RS256 key, its JWKS on a local port, and a token it signed. */
async function startIdentityProvider() {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "bench", alg: "RS256", use: "sig" }] });
  const server = createHttpServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(jwks));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const jwt = { issuer: "https://issuer.bench", audience: "cs-agents-bench", jwksUrl: `http://127.0.0.1:${server.address().port}/jwks` };
  const token = await new SignJWT({ tenant: "bench", scope: "tasks:read tasks:write" })
    .setProtectedHeader({ alg: "RS256", kid: "bench" })
    .setIssuer(jwt.issuer)
    .setAudience(jwt.audience)
    .setSubject("bench-user")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
  return { jwt, token, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The baselines' process: hello, and the least a durable submission and a read are (see api-hello.mjs). */
async function startHello(databasePath) {
  const port = await freePort();
  const server = await startServer([fileURLToPath(new URL("../api-hello.mjs", import.meta.url)), String(port), databasePath], {}, "listening");
  return { ...server, url: `http://127.0.0.1:${port}`, storedId: server.output.match(/listening (\S+)/)[1] };
}

let keySeq = 0;
/** One autocannon run; POST cases get a fresh Idempotency-Key per request. */
async function load(target, durationS, { connections = CONNECTIONS, overallRate } = {}) {
  const request = { method: target.method, path: target.path, headers: { ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) } };
  if (target.method === "POST") {
    request.headers["content-type"] = "application/json";
    request.body = JSON.stringify(TASK);
    request.setupRequest = (req) => ({ ...req, headers: { ...req.headers, "idempotency-key": `bench-${process.pid}-${++keySeq}` } });
  }
  const result = await autocannon({ url: target.url, connections, duration: durationS, requests: [request], ...(overallRate ? { overallRate } : {}) });
  return {
    accepted: result["2xx"],
    perSecond: result.requests.average,
    acceptedPerSecond: result["2xx"] / durationS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    shed: result.statusCodeStats?.["503"]?.count ?? 0,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** `count` runs of `tenant` in the store before the server starts, so reads see a table of realistic size. */
async function seed(databaseUrl, tenant, count) {
  const store = SqliteStore.open(databaseUrl);
  let id;
  // Submitted 200 at a time: the store commits the submissions of one turn together.
  for (let i = 0; i < count; i += 200) {
    const ids = Array.from({ length: Math.min(200, count - i) }, () => newRunId());
    await Promise.all(ids.map((runId) => store.submitAudited({ ...TASK, tenant }, { runId, requestHash: "h", submittedBy: tenant }, { action: "task.submitted", actor: tenant, tenant })));
    id = ids.at(-1);
  }
  await store.close();
  return id;
}

/**
 * The seed's quarterly report run made for real (`cs-agents run`, the built-in planner) in the
 * store at `databasePath`, its charts, tables and workbook in the artifact store beside it; moved
 * to the tenant the server acts as with auth off. Returns its id.
 */
async function seedReportRun(databasePath, outDir) {
  const child = spawn(process.execPath, ["bin/cs-agents.js", "run", "--json", "--out", outDir, TASK.description], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databasePath, REDIS_URL: "" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`cs-agents run failed (${code}): ${output.slice(-500)}`);
  const db = new Database(databasePath);
  try {
    const { id } = db.prepare("SELECT id FROM runs WHERE status = 'succeeded' AND tenant = '' ORDER BY created_at DESC LIMIT 1").get();
    db.prepare("UPDATE runs SET tenant = 'local', task = json_set(task, '$.tenant', 'local') WHERE id = ?").run(id);
    return id;
  } finally {
    db.close();
  }
}

/** Runs stored, read from the server's store after it stopped. */
async function storedRuns(databaseUrl) {
  if (databaseUrl.startsWith("postgres")) {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query("SELECT count(*)::int AS n FROM runs")).rows[0].n;
    } finally {
      await client.end();
    }
  }
  const db = new Database(databaseUrl, { readonly: true });
  try {
    return db.prepare("SELECT count(*) AS n FROM runs").get().n;
  } finally {
    db.close();
  }
}

export async function run({ quick, log }) {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-api-"));
  const timing = quick ? { warmupS: 1, durationS: 2, reps: 3 } : { warmupS: 2, durationS: 4, reps: 3 };
  const rows = [];
  const notes = [];
  const servers = [];
  let idp;
  let postgres;
  try {
    const readPath = join(dir, "read.db");
    const taskId = await seed(readPath, "local", STORED_RUNS);
    const reportId = await seedReportRun(readPath, join(dir, "report"));
    const crowdedPath = join(dir, "crowded.db");
    await seed(crowdedPath, "other-tenant", OTHER_TENANT_QUEUED);
    idp = await startIdentityProvider();
    const pgProblem = await postgresProblem();
    if (pgProblem) notes.push(`PostgreSQL case left out: ${pgProblem}`);
    else postgres = await createDatabase("api");
    const start = async (name, databaseUrl, options) => {
      const server = { name, databaseUrl, accepted: 0, ...(await startApi(databaseUrl, options)) };
      servers.push(server);
      return server;
    };
    const hello = await startHello(join(dir, "peer.db"));
    servers.push({ name: "hello", ...hello });
    const reader = await start("read", readPath);
    const api = await start("submit", join(dir, "submit.db"));
    const limited = await start("rate-limited", join(dir, "limited.db"), { ratePerMinute: 1_000_000_000 });
    const capped = await start("capped", crowdedPath, { maxActiveRuns: 1_000_000 });
    // Started for its own loads only: between them its workers would still be running the
    // queued runs, taking CPU from every other case.
    const working = { name: "workers", databaseUrl: join(dir, "workers.db"), accepted: 0, options: { workers: 2 } };
    const authed = await start("auth", join(dir, "auth.db"), { jwt: idp.jwt });
    const onPostgres = postgres ? await start("postgres", postgres.url) : undefined;
    const post = (server, extra = {}) => ({ url: server.url, method: "POST", path: "/v1/tasks", server, ...extra });
    const cases = [
      { key: "hello", label: 'Fastify "hello" (baseline)', url: hello.url, method: "GET", path: "/hello" },
      { key: "peer-post", label: "peer floor: Fastify + one better-sqlite3 insert (POST /submit)", url: hello.url, method: "POST", path: "/submit" },
      { key: "post", label: "POST /v1/tasks (fresh Idempotency-Key), workers 0", ...post(api) },
      { key: "post-rate-limited", label: "POST, rate limiter on (never reached)", ...post(limited) },
      { key: "post-capped", label: `POST, active-run cap on (${OTHER_TENANT_QUEUED.toLocaleString("en")} runs of another tenant queued)`, ...post(capped) },
      { key: "post-workers", label: "POST, 2 in-process workers running the runs (server started for each load)", ...post(working) },
      { key: "post-auth", label: "POST, auth on (RS256 JWT, key from a local JWKS)", ...post(authed, { token: idp.token }) },
      ...(onPostgres ? [{ key: "post-postgres", label: "POST, PostgreSQL store", ...post(onPostgres) }] : []),
      { key: "peer-get", label: "peer floor: Fastify + one better-sqlite3 read by id (GET /runs/{id})", url: hello.url, method: "GET", path: `/runs/${hello.storedId}` },
      { key: "get", label: `GET /v1/tasks/{id} of a queued run (${STORED_RUNS.toLocaleString("en")} runs stored)`, url: reader.url, method: "GET", path: `/v1/tasks/${taskId}` },
      { key: "get-report", label: "GET /v1/tasks/{id} of a finished report run (the seed's task; artifacts in the artifact store)", url: reader.url, method: "GET", path: `/v1/tasks/${reportId}` },
      { key: "list", label: `GET /v1/tasks (first page of 50; ${STORED_RUNS.toLocaleString("en")} runs stored)`, url: reader.url, method: "GET", path: "/v1/tasks" },
      { key: "get-auth", label: "GET /v1/tasks/{id} of another tenant, auth on (404)", url: authed.url, method: "GET", path: `/v1/tasks/${taskId}`, token: idp.token },
      { key: "healthz", label: "GET /healthz", url: reader.url, method: "GET", path: "/healthz" },
    ];
    const run1 = async (c, seconds) => {
      const own = c.server?.options ? await startApi(c.server.databaseUrl, c.server.options) : undefined;
      try {
        const r = await load(own ? { ...c, url: own.url } : c, seconds);
        if (c.server) c.server.accepted += r.accepted;
        return r;
      } finally {
        await own?.stop();
      }
    };
    for (const c of cases) await run1(c, timing.warmupS);
    const samples = new Map(cases.map((c) => [c.key, []]));
    for (let rep = 0; rep < timing.reps; rep++) {
      for (const c of cases) {
        const r = await run1(c, timing.durationS);
        samples.get(c.key).push(r);
        log(`rep ${rep + 1} ${c.label.padEnd(60)} ${r.perSecond.toFixed(0)} req/s, P50 ${r.p50} ms, P99 ${r.p99} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ""}`);
      }
    }
    const helloPerRep = samples.get("hello").map((r) => r.perSecond);
    for (const c of cases) {
      const s = samples.get(c.key);
      const ratios = s.map((r, i) => r.perSecond / helloPerRep[i]);
      rows.push({ key: c.key, case: c.label, perSecond: median(s.map((r) => r.perSecond)), p50: median(s.map((r) => r.p50)), p99: median(s.map((r) => r.p99)), ratio: median(ratios), non2xx: s.reduce((n, r) => n + r.non2xx, 0), errors: s.reduce((n, r) => n + r.errors, 0) });
    }
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    // Every 202 the clients got is a run in the store (committed before its answer). The store
    // may hold a few more: requests in flight when a load ended, their answers not counted.
    const loads = 1 + timing.reps;
    for (const server of [api, limited, working, authed, ...(onPostgres ? [onPostgres] : [])]) {
      const stored = await storedRuns(server.databaseUrl);
      const ok = stored >= server.accepted && stored - server.accepted <= CONNECTIONS * loads;
      notes.push(
        `${server.name}: ${server.accepted.toLocaleString("en")} submissions answered 202, ${stored.toLocaleString("en")} runs in the store after the server stopped` +
          (ok ? ` (every accepted one committed; ${stored - server.accepted} more were in flight when a load stopped)` : " (MISMATCH: an accepted submission is missing)"),
      );
    }
    const sustainable = median(samples.get("post").map((r) => r.perSecond));
    const overload = await overloadCases(dir, sustainable, timing, log);
    rows.push(...overload.rows);
    notes.push(...overload.notes);
    rows.push(...(await tokenVerification(idp, log)));
    rows.push(await profilePost(dir, timing, log));
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await idp?.close();
    await postgres?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  notes.push(
    `${CONNECTIONS} connections; ${timing.warmupS} s warm-up per case, then ${timing.reps} rounds of ${timing.durationS} s per case, round-robin; medians; "× hello" is the median of each round's ratio to the hello baseline of the same round`,
    "servers: `cs-agents serve` (SQLite file, WAL, unless stated; `--workers 0`, auth off, rate limit off and active-run cap off unless stated) and a bare Fastify server, each in its own process; load from the bench process with autocannon; all on the same machine",
    "the capped case counts this tenant's unfinished runs up to the cap (1,000,000 here, so all of them: its own queue grows during the case) and never the other tenant's",
  );
  return { rows, notes };
}

const OVERLOAD_CONNECTIONS = 256;
const SHED_IN_FLIGHT = 32;
const SHED_EVENT_LOOP_DELAY_MS = 100;

/**
 * Past saturation: submissions offered at twice the rate the "post" case sustained, from 256
 * connections at a fixed overall rate (latencies corrected for coordinated omission), to a
 * server without a bound and to one that sheds. Every 202 must still be a stored run.
 */
async function overloadCases(dir, sustainable, timing, log) {
  const rate = Math.max(100, Math.round(sustainable * 2));
  const rows = [];
  const notes = [];
  const variants = [
    { key: "overload-unbounded", label: `POST at 2× the sustained rate (${rate.toLocaleString("en")} req/s offered), no bound`, options: {} },
    { key: "overload-shed", label: `POST at 2× the sustained rate, shedding on (at most ${SHED_IN_FLIGHT} in flight, event-loop delay ${SHED_EVENT_LOOP_DELAY_MS} ms)`, options: { maxInFlight: SHED_IN_FLIGHT, maxEventLoopDelayMs: SHED_EVENT_LOOP_DELAY_MS } },
  ];
  const samples = new Map(variants.map((v) => [v.key, []]));
  const counts = new Map(variants.map((v) => [v.key, { accepted: 0, path: join(dir, `${v.key}.db`) }]));
  for (let rep = 0; rep < timing.reps; rep++) {
    for (const v of variants) {
      const count = counts.get(v.key);
      const server = await startApi(count.path, v.options);
      try {
        const target = { url: server.url, method: "POST", path: "/v1/tasks" };
        count.accepted += (await load(target, timing.warmupS, { connections: OVERLOAD_CONNECTIONS, overallRate: rate })).accepted;
        const r = await load(target, timing.durationS, { connections: OVERLOAD_CONNECTIONS, overallRate: rate });
        count.accepted += r.accepted;
        samples.get(v.key).push(r);
        log(`rep ${rep + 1} ${v.label.padEnd(60)} ${r.acceptedPerSecond.toFixed(0)} accepted/s, P50 ${r.p50} ms, P99 ${r.p99} ms, ${r.shed} answered 503, ${r.errors} errors`);
      } finally {
        await server.stop();
      }
    }
  }
  for (const v of variants) {
    const s = samples.get(v.key);
    rows.push({ key: v.key, case: v.label, offered: rate, perSecond: median(s.map((r) => r.acceptedPerSecond)), p50: median(s.map((r) => r.p50)), p99: median(s.map((r) => r.p99)), non2xx: s.reduce((n, r) => n + r.non2xx, 0), shed: s.reduce((n, r) => n + r.shed, 0), errors: s.reduce((n, r) => n + r.errors, 0) });
    const { accepted, path } = counts.get(v.key);
    const stored = await storedRuns(path);
    const slack = OVERLOAD_CONNECTIONS * 2 * timing.reps;
    notes.push(
      `${v.key}: ${accepted.toLocaleString("en")} submissions answered 202, ${stored.toLocaleString("en")} runs stored` +
        (stored >= accepted && stored - accepted <= slack ? " (every accepted one committed)" : " (MISMATCH: an accepted submission is missing)"),
    );
  }
  notes.push(`overload: ${OVERLOAD_CONNECTIONS} connections at a fixed overall rate of twice the median req/s of "POST /v1/tasks" in this run; "req/s" is 202s per second; a fresh server per load`);
  return { rows, notes };
}

/** What verifying one bearer token costs in process: every time, and from the verified-token cache. */
async function tokenVerification(idp, log) {
  const { createTokenVerifier } = await import("../../dist/auth/index.js");
  const authorization = `Bearer ${idp.token}`;
  const rows = [];
  for (const [key, label, size] of [
    ["verify-uncached", "verify one RS256 token (JWKS key), cache off", 0],
    ["verify-cached", "verify one RS256 token (JWKS key), verified-token cache on (a hit)", 10_000],
  ]) {
    const verifier = createTokenVerifier({ issuer: idp.jwt.issuer, audience: idp.jwt.audience, jwksUrl: idp.jwt.jwksUrl, verifiedCacheSize: size });
    for (let i = 0; i < 200; i++) await verifier.verify(authorization);
    const perCall = [];
    for (let round = 0; round < 7; round++) {
      const n = 2_000;
      const started = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await verifier.verify(authorization);
      perCall.push(Number(process.hrtime.bigint() - started) / 1_000 / n);
    }
    const us = median(perCall);
    log(`${label}: ${us.toFixed(2)} µs per call`);
    rows.push({ key, case: label, microseconds: us });
  }
  return rows;
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
