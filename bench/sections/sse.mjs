// Live event streams (issue 20): SUBSCRIBERS concurrent SSE subscribers from this process,
// spread evenly over RUNS runs of the paced plugin, against a server in another process
// (bench/sse-server.mjs: ApiServer + an in-process Worker, SQLite, auth off).
// - RSS per idle subscriber: the server's RSS (after GC) with every stream open and waiting
//   (runs queued, nothing executing), minus its RSS before the first stream, over SUBSCRIBERS.
// - Delivery latency: for every `tool.finished` event a client receives, its receive time minus
//   the step's `finishedAt` (stamped by the engine just before the step is committed). Both are
//   Date.now() on this machine, in milliseconds; `finishedAt` is whole milliseconds, so a
//   latency is over-stated by < 1 ms.
// - Store looks per run per change: event-log reads of a run over the changes it had (its
//   submission plus each commit the worker reported), averaged over the runs.
import { fork } from "node:child_process";
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("../sse-server.mjs", import.meta.url));
const CONNECT_AT_ONCE = 100;
// Polling is off in effect, so every look counted is one a change woke: what the fan-out costs.
// (With the default 250 ms a followed run is also looked at up to 4 times a second when nothing
// woke it — per run, whatever its subscribers — to see other replicas' writes.)
const POLL_MS = 60_000;

function ask(child, message, field) {
  return new Promise((resolve) => {
    const on = (reply) => {
      if (reply && field in reply) {
        child.off("message", on);
        resolve(reply);
      }
    };
    child.on("message", on);
    if (message !== undefined) child.send(message);
  });
}

function post(port, path, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => (res.statusCode < 300 ? resolve(JSON.parse(Buffer.concat(chunks).toString())) : reject(new Error(`POST ${path}: ${res.statusCode} ${Buffer.concat(chunks)}`))));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** One SSE subscriber on its own connection: `ready` once its first event came, `done` at the stream's end. */
function subscribe(port, runId, latencies) {
  let ready;
  const readyP = new Promise((resolve) => (ready = resolve));
  const done = new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: `/v1/tasks/${runId}/events`, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: ${res.statusCode}`));
      res.setEncoding("utf8");
      let buffer = "";
      let last = "";
      res.on("data", (chunk) => {
        const now = Date.now();
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (!event) continue;
          last = event;
          ready();
          if (event === "tool.finished") {
            const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "{}");
            latencies.push(now - Date.parse(data.finishedAt));
          }
        }
      });
      res.on("end", () => resolve(last));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  return { ready: readyP, done };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export async function run({ quick, log }) {
  const subscribers = quick ? 200 : 1_000;
  const runs = quick ? 20 : 100;
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-sse-"));
  const child = fork(SERVER, [join(dir, "sse.db"), String(runs), String(POLL_MS)], { execArgv: ["--expose-gc", "--no-warnings"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const { port } = await ask(child, undefined, "port");
    const ids = [];
    for (let i = 0; i < runs; i++) ids.push((await post(port, "/v1/tasks", { description: "bench paced" })).id);
    const before = (await ask(child, "rss", "rss")).rss;
    const latencies = [];
    const streams = [];
    for (let i = 0; i < subscribers; i += CONNECT_AT_ONCE) {
      const batch = [];
      for (let j = i; j < Math.min(subscribers, i + CONNECT_AT_ONCE); j++) batch.push(subscribe(port, ids[j % runs], latencies));
      await Promise.all(batch.map((s) => s.ready));
      streams.push(...batch);
    }
    const idle = (await ask(child, "rss", "rss")).rss;
    const perSubscriber = (idle - before) / subscribers;
    log(`${subscribers} streams open on ${runs} queued runs: server RSS ${(before / 2 ** 20).toFixed(1)} → ${(idle / 2 ** 20).toFixed(1)} MiB (${(perSubscriber / 1024).toFixed(1)} KiB each)`);
    const started = performance.now();
    await ask(child, "start", "started");
    const ends = await Promise.all(streams.map((s) => s.done));
    const seconds = (performance.now() - started) / 1000;
    const { looks, writes } = await ask(child, "stats", "looks");
    const ratios = ids.map((id) => (looks[id] ?? 0) / ((writes[id] ?? 0) + 1));
    latencies.sort((a, b) => a - b);
    const succeeded = ends.filter((e) => e === "run.succeeded").length;
    log(`all streams ended in ${seconds.toFixed(1)} s (${succeeded}/${subscribers} with run.succeeded); ${latencies.length} deliveries P50 ${quantile(latencies, 0.5)} ms, P99 ${quantile(latencies, 0.99)} ms`);
    await ask(child, "stop", "stopped");
    const meanRatio = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    return {
      rows: [
        {
          key: "sse",
          subscribers,
          runs,
          deliveries: latencies.length,
          p50: quantile(latencies, 0.5),
          p99: quantile(latencies, 0.99),
          max: latencies[latencies.length - 1],
          kibPerSubscriber: perSubscriber / 1024,
          looksPerChange: meanRatio,
          maxLooksPerChange: Math.max(...ratios),
          endedWithFinal: succeeded,
          seconds,
        },
      ],
      notes: [
        `${subscribers} subscribers (${subscribers / runs} per run, one HTTP/1.1 connection each) in this process; the server (ApiServer + in-process Worker of ${runs} slots, SQLite file, auth off, eventsPollMs ${POLL_MS.toLocaleString("en")} so that only wakes make it look) in another; both on this machine`,
        "latency: client receive time minus the tool step's finishedAt, over every tool.finished event every subscriber received (Date.now on both sides, same clock)",
        "RSS per idle subscriber: server RSS after GC with every stream open on a queued run, minus before the first stream, over the subscribers",
        "looks per change: the run's event-log reads over (1 submission + the worker's commits of it), mean over the runs (max shown too)",
      ],
    };
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}
