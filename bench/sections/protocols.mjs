// The same operations over REST/JSON (HTTP/1.1 keep-alive), gRPC, and gRPC with gzip, against
// one `cs-agents serve --grpc-port` process (SQLite, no workers, auth off). Each protocol goes
// through its own counting TCP proxy, so "bytes" are what really crossed the socket (headers,
// framing, HTTP/2 control frames included), per operation. Cases: a submission (small
// payload), GetTask of a finished seed-report run (report-sized payload), and the whole event
// stream of that run. The protocols run round-robin for several repetitions; medians reported.
import { spawn } from "node:child_process";
import { request as httpRequest, Agent } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { credentials, Metadata } from "@grpc/grpc-js";
import { tasksClientConstructor } from "../../dist/doors/grpc/index.js";
import { freePort } from "../free-port.mjs";
import { median } from "../measure.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SEED = "生成季度财务报告";
const IN_FLIGHT = 16;

async function startServe(databaseUrl, { workers, grpcPort }) {
  const port = await freePort();
  const args = ["bin/cs-agents.js", "serve", "--workers", String(workers), "--host", "127.0.0.1", "--port", String(port), ...(grpcPort ? ["--grpc-port", String(grpcPort)] : [])];
  const env = { ...process.env, CS_AGENTS_AUTH: "off", DATABASE_URL: databaseUrl, CS_AGENTS_MIGRATE: "true", CS_AGENTS_RATE_LIMIT_PER_MINUTE: "0", CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT: "0", CS_AGENTS_LOG_FORMAT: "json", REDIS_URL: "" };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("listening on") && (!grpcPort || output.includes("gRPC"))) resolve();
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => reject(new Error(`serve exited (${code}): ${output.slice(-800)}`)));
  });
  child.removeAllListeners("exit");
  return { port, stop: () => new Promise((resolve) => { child.once("exit", resolve); child.kill("SIGTERM"); }) };
}

/** A TCP proxy counting bytes both ways. */
async function byteCounter(targetPort) {
  const counts = { up: 0, down: 0 };
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    // No Nagle delay on the proxy's own sockets: HTTP/2 sends small frames (headers, data,
    // trailers) that would otherwise wait for delayed ACKs, a cost neither protocol has unproxied.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.on("data", (c) => { counts.up += c.length; upstream.write(c); });
    upstream.on("data", (c) => { counts.down += c.length; client.write(c); });
    const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on("close", drop).on("error", drop);
    upstream.on("close", drop).on("error", drop);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: server.address().port, counts, reset() { counts.up = 0; counts.down = 0; }, close: () => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(r)); } };
}

function restClient(port) {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const call = (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest({ host: "127.0.0.1", port, method, path, agent, headers: { ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}), ...headers } }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => (res.statusCode < 300 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks)}`))));
      });
      req.on("error", reject);
      req.end(payload);
    });
  let key = 0;
  return {
    submit: () => call("POST", "/v1/tasks", { description: SEED }, { "idempotency-key": `bench-rest-${process.pid}-${++key}` }).then((t) => JSON.parse(t)),
    get: (id) => call("GET", `/v1/tasks/${id}`).then((t) => JSON.parse(t)),
    events: (id) => call("GET", `/v1/tasks/${id}/events`).then((t) => t.split("\n\n").filter((b) => b.includes("\nevent: ")).length),
    close: () => agent.destroy(),
  };
}

function grpcClient(port, gzip) {
  const Tasks = tasksClientConstructor();
  const client = new Tasks(`127.0.0.1:${port}`, credentials.createInsecure(), gzip ? { "grpc.default_compression_algorithm": 2 } : {});
  const unary = (method, request) => new Promise((resolve, reject) => client[method](request, new Metadata(), (e, v) => (e ? reject(e) : resolve(v))));
  let key = 0;
  return {
    submit: () => unary("SubmitTask", { description: SEED, idempotency_key: `bench-grpc-${gzip ? "gz" : "id"}-${process.pid}-${++key}` }),
    get: (id) => unary("GetTask", { id }),
    events: (id) =>
      new Promise((resolve, reject) => {
        let n = 0;
        const stream = client.WatchRun({ run_id: id });
        stream.on("data", () => n++);
        stream.on("end", () => resolve(n));
        stream.on("error", reject);
      }),
    close: () => client.close(),
  };
}

/** `count` operations with IN_FLIGHT at once: latencies, ops/s, bytes per op each way. */
async function measure(op, count, counter) {
  counter.reset();
  const latencies = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      next++;
      const t0 = performance.now();
      await op();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { perSecond: count / seconds, p50: at(0.5), p99: at(0.99), upBytes: counter.counts.up / count, downBytes: counter.counts.down / count };
}

async function waitFor(check, what, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function run({ quick, log }) {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-protocols-"));
  const databaseUrl = join(dir, "protocols.db");
  const reps = 3;
  // A report-sized GetTask builds the whole run view (tens of ms of server CPU): fewer of those.
  const counts = quick ? { submit: 100, get: 40, events: 20 } : { submit: 400, get: 120, events: 60 };
  const rows = [];
  const notes = [];
  let server;
  const closers = [];
  try {
    // The finished report run to read: made by a server with a worker, then that server stops.
    const maker = await startServe(databaseUrl, { workers: 1 });
    const made = restClient(maker.port);
    const seed = await made.submit();
    await waitFor(async () => (await made.get(seed.id)).status === "succeeded", "the seed report run");
    made.close();
    await maker.stop();

    const grpcPort = await freePort();
    server = await startServe(databaseUrl, { workers: 0, grpcPort });
    const restCounter = await byteCounter(server.port);
    const grpcCounter = await byteCounter(grpcPort);
    closers.push(restCounter.close, grpcCounter.close);
    const protocols = [
      { key: "rest", label: "REST/JSON (HTTP/1.1)", client: restClient(restCounter.port), counter: restCounter },
      { key: "grpc", label: "gRPC", client: grpcClient(grpcCounter.port, false), counter: grpcCounter },
      { key: "grpc-gzip", label: "gRPC + gzip", client: grpcClient(grpcCounter.port, true), counter: grpcCounter },
    ];
    for (const p of protocols) closers.push(async () => p.client.close());
    const cases = [
      { key: "submit", label: `submit "${SEED}" (small payload)`, op: (c) => c.submit(), count: counts.submit },
      { key: "get", label: "get the finished report run (report-sized payload)", op: (c) => c.get(seed.id), count: counts.get },
      { key: "events", label: "the report run's whole event stream", op: (c) => c.events(seed.id), count: counts.events },
    ];
    // Sizes of one answer, as decoded.
    const detail = await protocols[0].client.get(seed.id);
    const eventCount = await protocols[1].client.events(seed.id);
    notes.push(`the report run's REST body is ${JSON.stringify(detail).length.toLocaleString("en")} bytes of JSON; its event stream has ${eventCount} events`);
    // Warm-up: connections, JIT.
    for (const p of protocols) for (const c of cases) await measure(() => c.op(p.client), Math.ceil(c.count / 10), p.counter);
    const results = new Map();
    for (let rep = 0; rep < reps; rep++) {
      for (const c of cases) {
        for (const p of protocols) {
          const r = await measure(() => c.op(p.client), c.count, p.counter);
          const key = `${c.key}/${p.key}`;
          results.set(key, [...(results.get(key) ?? []), r]);
          log(`${key} rep ${rep + 1}: ${r.perSecond.toFixed(0)}/s p50 ${r.p50.toFixed(2)} ms, ${r.downBytes.toFixed(0)} B down`);
        }
      }
    }
    for (const c of cases) {
      for (const p of protocols) {
        const all = results.get(`${c.key}/${p.key}`);
        const m = (field) => median(all.map((r) => r[field]));
        rows.push({ key: `${c.key}/${p.key}`, case: c.label, protocol: p.label, perSecond: m("perSecond"), p50: m("p50"), p99: m("p99"), upBytes: m("upBytes"), downBytes: m("downBytes"), reps: all.length, count: c.count });
      }
    }
    notes.push(`${IN_FLIGHT} operations in flight per protocol, one client each (REST: ${IN_FLIGHT} keep-alive HTTP/1.1 connections; gRPC: one HTTP/2 connection); client and server on this machine; medians of ${reps} repetitions`);
    notes.push("bytes: counted at a TCP proxy in front of each port, both directions, divided by the operations; the REST API sends JSON uncompressed (no Content-Encoding)");
  } finally {
    for (const close of closers) await close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes };
}
