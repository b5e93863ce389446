// `npm run bench [-- --quick] [-- --only engine,cache,…] [-- --no-build]`
// Builds dist/ (the package as shipped), runs each section in a fresh process, prints Markdown
// tables with the machine, versions and command, checks the targets of issue 5, and writes
// out/bench/results.json and out/bench/results.md. Peers come from bench/peers/ (`npm ci` there).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { describeEnvironment } from "./environment.mjs";
import { formatReport } from "./report.mjs";
import { evaluateTargets } from "./targets.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = `${ROOT}out/bench/`;

/** Result key → section module (bench/sections/<module>.mjs), in the order they run. */
const SECTIONS = {
  engine: "engine-overhead",
  cache: "cache",
  batching: "batching",
  memory: "memory",
  e2e: "end-to-end",
  fleet: "fleet",
  profile: "profile",
  floor: "floor",
  api: "api",
  console: "console",
  prompts: "prompts",
  protocols: "protocols",
  sse: "sse",
  fairness: "fairness",
};

function parseArgs(args) {
  const options = { quick: false, build: true, only: Object.keys(SECTIONS) };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--quick") options.quick = true;
    else if (arg === "--no-build") options.build = false;
    else if (arg === "--only" || arg.startsWith("--only=")) {
      const value = arg.includes("=") ? arg.slice("--only=".length) : args[++i];
      options.only = (value ?? "").split(",").filter(Boolean);
      const unknown = options.only.filter((name) => !(name in SECTIONS));
      if (unknown.length || options.only.length === 0) usage(`--only takes a comma-separated list of ${Object.keys(SECTIONS).join(", ")}`);
    } else usage(`unknown argument "${arg}"`);
  }
  return options;
}

function usage(problem) {
  process.stderr.write(`bench: ${problem}\nusage: npm run bench [-- --quick] [--only ${Object.keys(SECTIONS).join(",")}] [--no-build]\n`);
  process.exit(2);
}

function build() {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  process.stderr.write("building dist/ (tsc -p tsconfig.build.json)\n");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
}

function runSection(name, quick) {
  const args = ["--expose-gc", "--no-warnings", fileURLToPath(new URL("./section.mjs", import.meta.url)), name, ...(quick ? ["--quick"] : [])];
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) return { rows: [], notes: [`section failed (exit ${child.status}); see the output above`], seconds };
  return { ...JSON.parse(child.stdout.trim().split("\n").at(-1)), seconds };
}

const args = process.argv.slice(2);
const options = parseArgs(args);
if (!existsSync(`${ROOT}bench/peers/node_modules`) && options.only.includes("engine")) {
  usage("the peers are not installed: cd bench/peers && npm ci");
}
if (options.build) build();
const env = await describeEnvironment(args);
const results = {};
const started = performance.now();
for (const key of options.only) {
  process.stderr.write(`\n== ${key} (${SECTIONS[key]}.mjs)${options.quick ? " --quick" : ""}\n`);
  results[key] = runSection(SECTIONS[key], options.quick);
  process.stderr.write(`   ${results[key].seconds.toFixed(0)} s\n`);
}
env.machine.loadAverageAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
env.totalSeconds = Math.round((performance.now() - started) / 1000);
const targets = evaluateTargets(results);
const report = formatReport(env, results, targets);
mkdirSync(OUT, { recursive: true });
writeFileSync(`${OUT}results.json`, `${JSON.stringify({ env, results, targets }, null, 2)}\n`);
writeFileSync(`${OUT}results.md`, report);
process.stdout.write(`\n${report}\n(${env.totalSeconds} s; written to out/bench/results.md and out/bench/results.json)\n`);
