// The targets of issue 5, checked against the measured rows: each with what was measured, the
// ratio to the target (above 1 is met), and ✓ or ✗. A target whose rows are missing is "n/a".

function engineRate(results, key, shape = "linear3", field = "sequentialPerSecond") {
  return results.engine?.rows.find((r) => r.key === key && r.shape === shape)?.[field];
}

function row(results, section, key) {
  return results[section]?.rows.find((r) => r.key === key);
}

/** `atLeast`: measured ≥ goal (ratio measured/goal); otherwise measured ≤ goal (ratio goal/measured). */
function check(target, measured, goal, { atLeast = true, unit = "", describe } = {}) {
  if (measured === undefined || Number.isNaN(measured) || goal === undefined || Number.isNaN(goal)) return { target, measured: "n/a", ratio: undefined, met: undefined };
  const ratio = atLeast ? measured / goal : measured <= 0 ? Infinity : goal / measured;
  return { target, measured: describe ?? `${format(measured)}${unit}`, ratio, met: atLeast ? measured >= goal : measured <= goal };
}

function format(n) {
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en");
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function times(a, b) {
  return a !== undefined && b !== undefined ? a / b : undefined;
}

export function evaluateTargets(results) {
  const memory = engineRate(results, "cs-memory");
  // The durable paths a user has: `cs-agents run` starts its run eagerly (the submit is the claim);
  // a run submitted through the API waits in the queue for a worker's claim.
  const sqlite = engineRate(results, "cs-sqlite-eager");
  const postgres = engineRate(results, "cs-postgres-eager");
  const sqliteQueued = engineRate(results, "cs-sqlite-worker");
  const postgresQueued = engineRate(results, "cs-postgres-worker");
  const peer = (key) => engineRate(results, key);
  const cache = (key) => row(results, "cache", key);
  const batching = results.batching?.rows ?? [];
  const out = [
    check("in-memory ≥ 10,000 3-step runs/s", memory, 10_000, { unit: " runs/s" }),
    check("in-memory ≥ 40× LangGraph.js (no checkpointer)", times(memory, peer("lg-none")), 40, { unit: "×" }),
    check("in-memory ≥ 6× Mastra (InMemoryStore)", times(memory, peer("mastra-memory")), 6, { unit: "×" }),
    check("(no target) in-memory vs Mastra with no storage", times(memory, peer("mastra-none")), 1, { unit: "×" }),
    check("SQLite (Worker.submitAndRun) ≥ 2,000 3-step runs/s", sqlite, 2_000, { unit: " runs/s" }),
    check("SQLite ≥ 10× LangGraph SqliteSaver", times(sqlite, peer("lg-sqlite")), 10, { unit: "×" }),
    check("SQLite ≥ 5× Mastra LibSQLStore", times(sqlite, peer("mastra-libsql")), 5, { unit: "×" }),
    check("SQLite through the queue (submit + Worker.runOne) ≥ 2,000 3-step runs/s", sqliteQueued, 2_000, { unit: " runs/s" }),
    check("SQLite through the queue ≥ 10× LangGraph SqliteSaver", times(sqliteQueued, peer("lg-sqlite")), 10, { unit: "×" }),
    check("PostgreSQL (Worker.submitAndRun) ≥ 10× LangGraph PostgresSaver, sequential", times(postgres, peer("lg-postgres")), 10, { unit: "×" }),
    check("PostgreSQL through the queue ≥ 10× LangGraph PostgresSaver, sequential", times(postgresQueued, peer("lg-postgres")), 10, { unit: "×" }),
    ...(results.fleet?.rows ?? [])
      .filter((r) => r.workers === 3)
      .map((r) => check(`PostgreSQL ≥ 1,000 runs/s from 3 workers (${r.concurrency} runs in flight each)`, r.runsPerSecond, 1_000, { unit: " runs/s" })),
    check("L1 hit adds ≤ 5 µs (cache key + lookup, p50)", cache("l1-lookup")?.p50, 5, { atLeast: false, unit: " µs" }),
    check("L2 hit ≤ 0.5 ms median", cache("l2-hit")?.p50 && cache("l2-hit").p50 / 1000, 0.5, { atLeast: false, unit: " ms" }),
  ];
  for (const key of ["single-flight-l1", "single-flight-l2"]) {
    const r = cache(key);
    out.push({
      target: `single-flight: exactly 1 execution for 1,000 identical calls (${key === "single-flight-l1" ? "L1" : "L1 + L2 + lock"})`,
      measured: r ? `${r.executions} (max ${r.maxExecutions})` : "n/a",
      ratio: r && r.maxExecutions > 0 ? 1 / r.maxExecutions : undefined,
      met: r ? r.maxExecutions === 1 : undefined,
    });
  }
  const batchedCalls = batching.length ? Math.max(...batching.map((b) => b.batched.maxRequests)) : undefined;
  out.push(check("batching: ≤ 10 backend calls for 1,000 lookups (maxSize 100)", batchedCalls, 10, { atLeast: false, describe: `${batchedCalls} calls` }));
  for (const b of batching) {
    out.push(check(`batching ≥ 5× faster (backend with ${b.connections} connection${b.connections === 1 ? "" : "s"})`, b.speedup, 5, { unit: "×" }));
  }
  for (const key of ["memory-per-run", "memory-sqlite"]) {
    const r = row(results, "memory", key);
    out.push(check(`RSS growth < 5 % (${r?.subject ?? key})`, r && r.rssGrowth * 100, 5, { atLeast: false, unit: " %", ...(r ? { describe: `${(r.rssGrowth * 100).toFixed(1)} % (${r.mid.rssMiB.toFixed(0)} → ${r.end.rssMiB.toFixed(0)} MiB)` } : {}) }));
  }
  out.push(...apiTargets(results));
  out.push(...sseTargets(results));
  out.push(check("console: first load of /ui/ ≤ 1 s (median, empty cache)", row(results, "console", "first-load")?.ms.median, 1_000, { atLeast: false, unit: " ms" }));
  return out.map((t) => (t.target.startsWith("(no target)") ? { ...t, met: undefined } : t));
}

/** The live event streams' targets, when the sse section ran. */
function sseTargets(results) {
  if (!results.sse) return [];
  const sse = row(results, "sse", "sse");
  return [
    check(`SSE: P99 delivery < 50 ms (${sse?.subscribers ?? "?"} subscribers)`, sse?.p99, 50, { atLeast: false, unit: " ms" }),
    check("SSE: ≤ 64 KiB RSS per idle subscriber", sse?.kibPerSubscriber, 64, { atLeast: false, unit: " KiB" }),
    check("SSE: ≤ 1 store look per run per change (the worst run)", sse?.maxLooksPerChange, 1, { atLeast: false }),
  ];
}

/** The HTTP API's targets, when the api section ran. */
function apiTargets(results) {
  if (!results.api) return [];
  const api = (key) => row(results, "api", key);
  const post = api("post");
  const auth = api("post-auth");
  return [
    check("API: POST /v1/tasks ≥ 2,500 submissions/s (SQLite)", post?.perSecond, 2_500, { unit: " req/s" }),
    check("API: POST /v1/tasks ≥ 50 % of hello (SQLite)", post?.ratio && post.ratio * 100, 50, { unit: " %" }),
    check("API: POST /v1/tasks P99 < 25 ms (SQLite)", post?.p99, 25, { atLeast: false, unit: " ms" }),
    check("API: POST /v1/tasks ≥ 1,500 submissions/s (PostgreSQL)", api("post-postgres")?.perSecond, 1_500, { unit: " req/s" }),
    check("API: auth on ≤ 15 % slower than auth off (POST)", auth && post && (1 - auth.perSecond / post.perSecond) * 100, 15, { atLeast: false, unit: " % slower" }),
    check("API: GET one task ≥ 70 % of hello", api("get")?.ratio && api("get").ratio * 100, 70, { unit: " %" }),
    // The issue asks for a quick answer past saturation without a number; the seed's P99 bound is 500 ms.
    check("API: POST at 2× the sustained rate, shedding on: P99 < 500 ms", api("overload-shed")?.p99, 500, { atLeast: false, unit: " ms" }),
  ];
}
