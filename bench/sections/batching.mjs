// 3. Batching: 1,000 concurrent lookups through ToolExecutor against a backend that takes ~2 ms
// per request, batched (maxSize 100) or not: requests the backend served, and the total time.
import { defineTool, z } from "../../dist/index.js";
import { createToolRegistry, ToolExecutor } from "../../dist/tools/index.js";
import { median } from "../measure.mjs";

const LOOKUPS = 1_000;
const REQUEST_MS = 2;

/**
 * A backend serving `connections` requests at a time (or any number: "unlimited"), each taking
 * REQUEST_MS whatever its size (a round trip dominates a small lookup): requests beyond that
 * queue, as on a connection pool.
 */
function createBackend(connections) {
  let busy = 0;
  const queue = [];
  const backend = {
    requests: 0,
    async request(ids) {
      if (connections !== "unlimited" && busy >= connections) await new Promise((resolve) => queue.push(resolve));
      busy++;
      backend.requests++;
      try {
        await new Promise((resolve) => setTimeout(resolve, REQUEST_MS));
        return ids.map((id) => ({ id, value: `v${id}` }));
      } finally {
        busy--;
        queue.shift()?.();
      }
    },
  };
  return backend;
}

const io = { input: z.object({ id: z.number() }), output: z.object({ id: z.number(), value: z.string() }) };

function tools(backend) {
  return [
    defineTool({ name: "bench.lookup", description: "one lookup per request", ...io, retry: false, idempotent: true, handler: async ({ id }) => (await backend.request([id]))[0] }),
    defineTool({
      name: "bench.lookup-batched",
      description: "lookups batched into one request",
      ...io,
      retry: false,
      idempotent: true,
      batch: { maxSize: 100, maxWaitMs: 2, handler: (inputs) => backend.request(inputs.map((i) => i.id)) },
    }),
  ];
}

async function round(tool, connections) {
  const backend = createBackend(connections);
  const executor = new ToolExecutor({ registry: createToolRegistry(tools(backend)) });
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: LOOKUPS }, (_, id) => executor.run({ tool, input: { id } })));
  const ms = performance.now() - started;
  const failed = results.filter((r) => r.status !== "success" || r.output.id === undefined).length;
  if (failed > 0) throw new Error(`${failed} lookups failed`);
  await executor.close();
  return { ms, requests: backend.requests };
}

export async function run({ quick, log }) {
  const reps = quick ? 3 : 7;
  const rows = [];
  for (const connections of [1, 10, "unlimited"]) {
    const measured = {};
    for (const tool of ["bench.lookup", "bench.lookup-batched"]) {
      await round(tool, connections); // warm-up
      const rounds = [];
      for (let i = 0; i < reps; i++) rounds.push(await round(tool, connections));
      measured[tool] = { ms: median(rounds.map((r) => r.ms)), requests: median(rounds.map((r) => r.requests)), maxRequests: Math.max(...rounds.map((r) => r.requests)) };
    }
    const plain = measured["bench.lookup"];
    const batched = measured["bench.lookup-batched"];
    const row = { section: "batching", connections, plain, batched, speedup: plain.ms / batched.ms };
    log(`backend, ${connections} connection(s): unbatched ${plain.requests} requests in ${plain.ms.toFixed(1)} ms; batched ${batched.requests} in ${batched.ms.toFixed(1)} ms (${row.speedup.toFixed(1)}×)`);
    rows.push(row);
  }
  return { rows, notes: [`batching: ${LOOKUPS} concurrent executor.run calls, backend ${REQUEST_MS} ms per request, maxSize 100, maxWaitMs 2; median of ${reps} rounds after a warm-up round`] };
}
