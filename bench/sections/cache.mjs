// 2. Cache: latency of a call through ToolExecutor served by L1, by L2 (Redis, a fresh L1 for
// every call so L1 cannot answer) and on a miss; 1,000 concurrent identical calls → handler runs.
import { randomBytes } from "node:crypto";
import { createToolCache, MemoryCache, RedisCache } from "../../dist/cache/index.js";
import { defineTool, z } from "../../dist/index.js";
import { createToolRegistry, ToolExecutor } from "../../dist/tools/index.js";
import { toolCacheKey } from "../../dist/tools/tool-cache-key.js";
import { latency, median } from "../measure.mjs";

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const CONCURRENT = 1_000;

function lookupTool(name, { cached, delayMs = 0, counter }) {
  return defineTool({
    name,
    description: "looks a number up in a no-op backend",
    input: z.object({ id: z.number() }),
    output: z.object({ id: z.number(), value: z.string() }),
    retry: false,
    idempotent: true,
    ...(cached ? { cache: { ttlMs: 600_000, scope: "global" } } : {}),
    handler: async ({ id }) => {
      counter.calls++;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { id, value: `v${id}` };
    },
  });
}

function executorWith(cache, tools) {
  return new ToolExecutor({ registry: createToolRegistry(tools), ...(cache ? { cache } : {}) });
}

async function ok(promise) {
  const result = await promise;
  if (result.status !== "success") throw new Error(`call failed: ${result.error.code} ${result.error.message}`);
  return result;
}

/** Handler executions for `CONCURRENT` identical calls made at once, median over `reps` fresh keys. */
async function singleFlight(executor, tool, counter, reps) {
  const executions = [];
  for (let rep = 0; rep < reps; rep++) {
    const id = 1e9 + rep + Math.floor(Math.random() * 1e6);
    counter.calls = 0;
    await Promise.all(Array.from({ length: CONCURRENT }, () => ok(executor.run({ tool, input: { id } }))));
    executions.push(counter.calls);
  }
  return { median: median(executions), max: Math.max(...executions), reps };
}

export async function run({ quick, log }) {
  const count = quick ? 2_000 : 20_000;
  const reps = quick ? 3 : 5;
  const rows = [];
  const notes = [];
  const counter = { calls: 0 };
  const plain = lookupTool("bench.plain", { cached: false, counter });
  const cached = lookupTool("bench.cached", { cached: true, counter });
  const slow = lookupTool("bench.slow", { cached: true, delayMs: 10, counter });
  const add = (row) => {
    rows.push({ section: "cache", ...row });
    log(`${row.case.padEnd(48)} ${row.p50 !== undefined ? `p50 ${row.p50.toFixed(1)} µs, p99 ${row.p99.toFixed(1)} µs` : `${row.executions} execution(s)`}`);
  };

  // The floor: the same no-op tool without a cache.
  const bare = executorWith(undefined, [plain]);
  add({ key: "no-cache", case: "no cache (no-op handler)", ...(await latency(() => ok(bare.run({ tool: plain.name, input: { id: 1 } })), { count })) });

  const l1Only = executorWith(createToolCache({ l1: new MemoryCache() }), [cached, slow]);
  await ok(l1Only.run({ tool: cached.name, input: { id: 1 } }));
  add({ key: "l1-hit", case: "L1 hit", ...(await latency(() => ok(l1Only.run({ tool: cached.name, input: { id: 1 } })), { count })) });
  // What the cache itself puts on a hit's path: the canonical key and the L1 lookup.
  const lookupCache = createToolCache({ l1: new MemoryCache() });
  const compute = async () => ({ id: 1, value: "v1" });
  await lookupCache.getOrCompute(toolCacheKey(cached, { id: 1 }, {}), 600_000, compute);
  add({ key: "l1-lookup", case: "L1 hit: cache key + lookup alone", ...(await latency(() => lookupCache.getOrCompute(toolCacheKey(cached, { id: 1 }, {}), 600_000, compute), { count })) });
  let next = 1_000_000;
  add({ key: "l1-miss", case: "miss, L1 only (no-op handler)", ...(await latency(() => ok(l1Only.run({ tool: cached.name, input: { id: next++ } })), { count })) });
  const flightL1 = await singleFlight(l1Only, slow.name, counter, reps);
  add({ key: "single-flight-l1", case: `${CONCURRENT} identical concurrent calls, L1 only (10 ms handler)`, executions: flightL1.median, maxExecutions: flightL1.max });

  let redis;
  const keyPrefix = `cs-agents-bench:${randomBytes(4).toString("hex")}:`;
  try {
    redis = await RedisCache.connect({ url: REDIS_URL, keyPrefix, onError: (error) => notes.push(`Redis: ${error.message}`) });
  } catch (error) {
    notes.push(`Redis unreachable at ${REDIS_URL} (${error.message}): its rows are missing`);
  }
  if (redis) {
    try {
      const tiered = executorWith(createToolCache({ l1: new MemoryCache(), l2: redis, lock: redis }), [cached, slow]);
      await ok(tiered.run({ tool: cached.name, input: { id: 2 } }));
      // A fresh L1 (and executor) per call, built outside the timed part, so Redis answers.
      const fresh = Array.from({ length: Math.min(count, 5_000) + 1_000 }, () =>
        executorWith(createToolCache({ l1: new MemoryCache({ maxEntries: 16 }), l2: redis, lock: redis }), [cached]),
      );
      add({ key: "l2-hit", case: "L2 hit (Redis on loopback, fresh L1)", ...(await latency((i) => ok(fresh[i % fresh.length].run({ tool: cached.name, input: { id: 2 } })), { count: fresh.length - 1_000, warmup: 1_000 })) });
      add({ key: "l2-miss", case: "miss, L1 + L2 + Redis lock (no-op handler)", ...(await latency(() => ok(tiered.run({ tool: cached.name, input: { id: next++ } })), { count: Math.min(count, 5_000) })) });
      const flightL2 = await singleFlight(tiered, slow.name, counter, reps);
      add({ key: "single-flight-l2", case: `${CONCURRENT} identical concurrent calls, L1 + L2 + lock (10 ms handler)`, executions: flightL2.median, maxExecutions: flightL2.max });
    } finally {
      await redis.deleteByPrefix("");
      await redis.close();
    }
  }
  notes.push(`latency: ${count.toLocaleString("en")} sequential calls after 1,000 warm-up calls (L2: up to 5,000); single-flight: median of ${reps} rounds`);
  return { rows, notes };
}
