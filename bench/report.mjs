// Formats the results as Markdown: the environment, one table per section, the targets and the
// profile summary. The same text goes to stdout and to out/bench/results.md.
import { SHAPES, SHAPE_NAMES } from "./shapes.mjs";

const n0 = (n) => (n === undefined ? "–" : Math.round(n).toLocaleString("en"));
const n1 = (n) => (n === undefined ? "–" : n >= 100 ? n0(n) : n.toFixed(1));

function table(header, rows) {
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map((h, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}

function environment(env) {
  const peers = Object.entries(env.peers).map(([k, v]) => `${k} ${v}`).join(", ");
  const packages = Object.entries(env.packages).map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    `- command: \`${env.command}\` (${env.date})`,
    `- machine: ${env.machine.cpu}, ${env.machine.cores} cores, ${env.machine.ramGiB} GiB RAM, ${env.machine.os}; load average at start ${env.machine.loadAverageAtStart.join(" / ")}${env.machine.loadAverageAtEnd ? `, at end ${env.machine.loadAverageAtEnd.join(" / ")}` : ""}`,
    `- Node ${env.node}; cs-agents ${env.csAgents.version} (${env.csAgents.commit}); ${packages}`,
    `- peers: ${peers}`,
    `- servers: PostgreSQL ${env.servers.postgres}, Redis ${env.servers.redis} (both on 127.0.0.1)`,
  ].join("\n");
}

function engine(section) {
  const subjects = [...new Set(section.rows.map((r) => r.subject))];
  const header = ["subject", ...SHAPE_NAMES.flatMap((s) => [`${SHAPES[s].label} runs/s`, "µs/step", "×100 runs/s"])];
  const rows = subjects.map((subject) => [
    subject,
    ...SHAPE_NAMES.flatMap((shape) => {
      const r = section.rows.find((x) => x.subject === subject && x.shape === shape);
      if (!r) return ["–", "–", "–"];
      if (r.error) return [`error: ${r.error.slice(0, 60)}`, "", ""];
      return [n0(r.sequentialPerSecond), n0(r.usPerStep), n0(r.concurrentPerSecond)];
    }),
  ]);
  return table(header, rows);
}

function cache(section) {
  return table(
    ["call through ToolExecutor", "p50 µs", "p90 µs", "p99 µs", "handler executions"],
    section.rows.map((r) => [r.case, n1(r.p50), n1(r.p90), n1(r.p99), r.executions === undefined ? "" : `${r.executions} (max ${r.maxExecutions})`]),
  );
}

function batching(section) {
  return table(
    ["backend (2 ms per request)", "unbatched: requests", "unbatched: ms", "batched: requests", "batched: ms", "speed-up"],
    section.rows.map((r) => [`${r.connections} connection${r.connections === 1 ? "" : "s"}`, n0(r.plain.requests), n1(r.plain.ms), n0(r.batched.requests), n1(r.batched.ms), `${r.speedup.toFixed(1)}×`]),
  );
}

function memory(section) {
  const mark = (m) => `${m.rssMiB.toFixed(0)} / ${m.heapMiB.toFixed(1)}`;
  return table(
    ["variant", "after warm-up RSS / heap MiB", "mid", "end", "RSS growth mid→end", "heap growth", "runs/s", "note"],
    section.rows.map((r) => [
      r.subject,
      `${mark(r.warm)} (${n0(r.warm.runs)})`,
      `${mark(r.mid)} (${n0(r.mid.runs)})`,
      `${mark(r.end)} (${n0(r.end.runs)})`,
      `${(r.rssGrowth * 100).toFixed(1)} %`,
      `${(r.heapGrowth * 100).toFixed(1)} %`,
      n0(r.runsPerSecond),
      [r.bytesPerRun === undefined ? "" : `${n0(r.bytesPerRun)} bytes of heap kept per run`, r.detail ?? ""].filter(Boolean).join("; "),
    ]),
  );
}

function endToEnd(section) {
  return table(
    ["quarterly report (生成季度财务报告), SQLite + Worker", "runs/s", "ms/run", "journal KiB/run"],
    section.rows.map((r) => [r.subject, r.runsPerSecond.toFixed(2), n0(r.msPerRun), n0(r.journalBytes / 1024)]),
  );
}

function fleet(section) {
  return table(
    ["worker processes", "concurrency each", "runs", "runs/s (median)", "spread", "workers' CPU ms/run", "machine CPU busy"],
    section.rows.map((r) => [
      String(r.workers),
      String(r.concurrency),
      n0(r.runs),
      n0(r.runsPerSecond),
      `${n0(r.spread[0])}–${n0(r.spread[1])}`,
      r.workerCpuMsPerRun?.toFixed(2) ?? "–",
      r.machineBusy === undefined ? "–" : `${(r.machineBusy * 100).toFixed(0)} %`,
    ]),
  );
}

function floor(section) {
  return table(
    ["one durable commit, no cs-agents", "commits/s (median)", "µs per commit"],
    section.rows.map((r) => [r.case, n0(r.perSecond), n1(1e6 / r.perSecond)]),
  );
}

function targets(list) {
  return table(
    ["target", "measured", "ratio to target", ""],
    list.map((t) => [t.target, t.measured, t.ratio === undefined ? "" : t.ratio === Infinity ? "∞" : `${t.ratio.toFixed(2)}`, t.met === undefined ? "" : t.met ? "✓" : "✗"]),
  );
}

function profile(section) {
  return section.rows
    .map((r) => {
      const areas = r.areas.slice(0, 8).map((a) => `${a.name} ${(a.share * 100).toFixed(1)} %`).join(", ");
      const fns = table(["self time", "function"], r.functions.slice(0, 15).map((f) => [`${(f.share * 100).toFixed(1)} %`, `\`${f.name}\``]));
      const idle = r.idleShare ? `, ${(r.idleShare * 100).toFixed(0)} % idle` : "";
      return `**${r.target}** (${n0(r.runs)} runs in ${r.seconds} s under the profiler${idle}; \`${r.file}\`)\n\nby area: ${areas}\n\n${fns}`;
    })
    .join("\n\n");
}

function api(section) {
  const load = section.rows.filter((r) => r.ratio !== undefined);
  const overload = section.rows.filter((r) => r.offered !== undefined);
  const verify = section.rows.filter((r) => r.microseconds !== undefined);
  const parts = [
    table(
      ["case (32 connections)", "req/s", "P50 ms", "P99 ms", "× hello", "non-2xx"],
      load.map((r) => [r.case, n0(r.perSecond), n1(r.p50), n1(r.p99), r.ratio.toFixed(2), n0(r.non2xx + r.errors)]),
    ),
  ];
  if (overload.length) parts.push(table(["overload (256 connections)", "offered req/s", "202/s", "P50 ms", "P99 ms", "503s", "errors"], overload.map((r) => [r.case, n0(r.offered), n0(r.perSecond), n1(r.p50), n1(r.p99), n0(r.shed), n0(r.errors)])));
  if (verify.length) parts.push(table(["token check (in process)", "µs per call"], verify.map((r) => [r.case, n1(r.microseconds)])));
  for (const r of section.rows.filter((x) => x.key === "profile")) {
    const areas = r.areas.slice(0, 8).map((a) => `${a.name} ${(a.share * 100).toFixed(1)} %`).join(", ");
    parts.push(`**${r.case}** (${(r.idleShare * 100).toFixed(0)} % idle)\n\nby area: ${areas}\n\n${table(["self time", "function"], r.functions.slice(0, 15).map((f) => [`${(f.share * 100).toFixed(1)} %`, `\`${f.name}\``]))}`);
  }
  return parts.join("\n\n");
}

function consoleLoad(section) {
  return table(
    ["case", "median ms", "min ms", "max ms", "rounds"],
    section.rows.map((r) => [r.case, n0(r.ms.median), n0(r.ms.min), n0(r.ms.max), String(r.ms.n)]),
  );
}

function prompts(section) {
  return table(
    ["model call (seed task, every agent on a model)", "prompt tokens (o200k_base)", "KB sent"],
    section.rows.map((r) => [r.case, n0(r.tokens), n1(r.kb)]),
  );
}

function protocols(section) {
  return table(
    ["case", "protocol", "ops/s", "P50 ms", "P99 ms", "bytes up / op", "bytes down / op"],
    section.rows.map((r) => [r.case, r.protocol, n0(r.perSecond), n1(r.p50), n1(r.p99), n0(r.upBytes), n0(r.downBytes)]),
  );
}

function sse(section) {
  return table(
    ["subscribers", "runs", "deliveries", "P50 ms", "P99 ms", "max ms", "KiB RSS / idle subscriber", "store looks / run / change (mean, max)", "streams ended with run.succeeded"],
    section.rows.map((r) => [n0(r.subscribers), n0(r.runs), n0(r.deliveries), n1(r.p50), n1(r.p99), n1(r.max), n1(r.kibPerSubscriber), `${r.looksPerChange.toFixed(2)}, ${r.maxLooksPerChange.toFixed(2)}`, n0(r.endedWithFinal)]),
  );
}

function fairness(section) {
  const waits = section.rows.filter((r) => r.kind === "wait");
  const claims = section.rows.filter((r) => r.kind === "claim");
  return [
    table(["store", "start wait (submit → claim)", "P50 ms", "P95 ms", "max ms", "runs started"], waits.map((r) => [r.store, r.case, n1(r.p50), n1(r.p95), n1(r.max), n0(r.n)])),
    table(["store", "claim of one run", "P50 µs", "mean µs"], claims.map((r) => [r.store, r.case, n0(r.p50), n0(r.mean)])),
  ].join("\n\n");
}

const SECTIONS = [
  ["engine", "1. Engine overhead (no-op steps; sequential runs/s, µs per step, 100 runs in flight)", engine],
  ["cache", "2. Cache", cache],
  ["batching", "3. Batching: 1,000 concurrent lookups", batching],
  ["memory", "4. Memory", memory],
  ["e2e", "5. End to end", endToEnd],
  ["fleet", "6. Fleet on PostgreSQL", fleet],
  ["profile", "CPU profile: top self time", profile],
  ["floor", "Floor: what one commit costs on this machine", floor],
  ["api", "HTTP API under load (`cs-agents serve`; SQLite, no workers, auth off unless stated)", api],
  ["console", "Web console on loopback (Chromium, 10,000 runs stored)", consoleLoad],
  ["prompts", "Prompt tokens per model call (seed task)", prompts],
  ["protocols", "REST vs gRPC vs gRPC + gzip (`cs-agents serve --grpc-port`; SQLite, no workers, auth off)", protocols],
  ["sse", "Live event streams (issue 20): SSE subscribers following runs a worker executes", sse],
  ["fairness", "Priorities and fairness (issue 23): one tenant flooding the queue", fairness],
];

export function formatReport(env, results, targetList) {
  const parts = [environment(env)];
  for (const [key, title, format] of SECTIONS) {
    const section = results[key];
    if (!section) continue;
    parts.push(`### ${title}\n\n${section.rows.length ? format(section) : "(no rows)"}${section.notes?.length ? `\n\n${section.notes.map((n) => `- ${n}`).join("\n")}` : ""}`);
  }
  parts.push(`### Targets\n\n${targets(targetList)}`);
  return `${parts.join("\n\n")}\n`;
}
