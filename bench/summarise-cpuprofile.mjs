// Reads a V8 .cpuprofile (from `node --cpu-prof`) and sums self time per function and per area
// (a cs-agents module, an npm package, Node itself, GC).
//   node bench/summarise-cpuprofile.mjs <file.cpuprofile> [top] [since µs, V8 clock]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where a frame's code lives: `dist/engine`, `zod`, `node:internal`, `(garbage collector)`… */
export function areaOf(url, functionName) {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const dist = /\/dist\/([^/]+)\//.exec(url);
  if (dist) return `cs-agents ${dist[1]}/`;
  if (url.includes("/bench/")) return "bench harness";
  return url.replace(/^file:\/\//, "");
}

function shortLocation(url, line) {
  if (!url) return "";
  const path = url.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "").replace(/^.*\/(dist|bench)\//, "$1/");
  return `${path}:${line + 1}`;
}

/**
 * Self milliseconds per function and per area, largest first, with shares of the busy time
 * (idle left out); samples before `sinceMicros` (V8's clock) are left out.
 */
export function summarise(profile, sinceMicros = 0) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < sinceMicros) continue;
    const id = profile.samples[i];
    selfMs.set(id, (selfMs.get(id) ?? 0) + delta / 1000);
  }
  const functions = new Map();
  const areas = new Map();
  let total = 0;
  let idleMs = 0;
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || "(anonymous)";
    if (name === "(idle)") {
      idleMs += ms;
      continue;
    }
    const key = `${name} ${shortLocation(url, lineNumber)}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + ms);
    const area = areaOf(url, name);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    total += ms;
  }
  const ranked = (map) => [...map].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms, share: ms / total }));
  return { totalMs: total, idleShare: idleMs / (total + idleMs), functions: ranked(functions), areas: ranked(areas) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = "20", since = "0"] = process.argv.slice(2);
  const { totalMs, idleShare, functions, areas } = summarise(JSON.parse(readFileSync(file, "utf8")), Number(since));
  console.log(`${file}: ${totalMs.toFixed(0)} ms busy (${(idleShare * 100).toFixed(0)} % of the samples idle, left out)\n\nself time by area`);
  for (const a of areas.slice(0, 12)) console.log(`${(a.share * 100).toFixed(1).padStart(6)} %  ${a.name}`);
  console.log("\nself time by function");
  for (const f of functions.slice(0, Number(top))) console.log(`${(f.share * 100).toFixed(1).padStart(6)} %  ${f.name}`);
}
