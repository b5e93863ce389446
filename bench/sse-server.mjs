// The server side of the live-stream bench, in its own process: `ApiServer` (auth off) over a
// SQLite file, with an in-process Worker that wakes the streams after each commit, as `serve`
// wires them. The store counts its event-log reads (one per look at a run) and the worker its
// commits per run. Driven over IPC by bench/sections/sse.mjs: "rss", "start", "stats", "stop".
import { ApiServer } from "../dist/api/index.js";
import { catalogOf } from "../dist/cli/commands/serve.js";
import { createRuntime, Worker } from "../dist/index.js";
import { SqliteStore } from "../dist/store/index.js";
import * as paced from "./paced-plugin.mjs";

const [file, concurrency, pollMs] = process.argv.slice(2);
const inner = SqliteStore.open(file);
const looks = new Map();
const writes = new Map();
const store = new Proxy(inner, {
  get(target, property) {
    if (property === "listRunEvents") {
      return (runId, afterId) => {
        looks.set(runId, (looks.get(runId) ?? 0) + 1);
        return target.listRunEvents(runId, afterId);
      };
    }
    const value = target[property];
    return typeof value === "function" ? value.bind(target) : value;
  },
});
const runtime = createRuntime({ plugins: [{ source: "bench/paced-plugin.mjs", tools: paced.tools, agents: paced.agents, templates: paced.templates }] });
const server = await ApiServer.create(
  { auth: { mode: "off" }, eventsPollMs: Number(pollMs), maxActiveRunsPerTenant: 0, logger: false },
  { store, catalog: catalogOf(runtime) },
);
const worker = new Worker({
  store: inner,
  engine: runtime.engine,
  concurrency: Number(concurrency),
  pollMs: 50,
  onWritten: (runId) => {
    writes.set(runId, (writes.get(runId) ?? 0) + 1);
    server.wake(runId);
  },
});
const address = await server.listen(0, "127.0.0.1");

function rss() {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  return process.memoryUsage().rss;
}

process.on("message", async (message) => {
  if (message === "rss") process.send({ rss: rss() });
  else if (message === "start") {
    worker.start();
    process.send({ started: true });
  } else if (message === "stats") process.send({ looks: Object.fromEntries(looks), writes: Object.fromEntries(writes) });
  else if (message === "stop") {
    await worker.stop(1_000);
    await server.close();
    await inner.close();
    process.send({ stopped: true });
    process.exit(0);
  }
});
process.send({ port: address.port });
