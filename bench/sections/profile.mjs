// CPU profiles of the in-memory path and the SQLite and PostgreSQL worker paths: `node --cpu-prof`, then self time
// summed per function and per area. The .cpuprofile files stay in out/bench/profiles/ (open
// them in Chrome DevTools or speedscope).
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createDatabase, postgresProblem } from "../postgres-database.mjs";
import { summarise } from "../summarise-cpuprofile.mjs";

const TARGET = fileURLToPath(new URL("../profile-target.mjs", import.meta.url));
const DIR = fileURLToPath(new URL("../../out/bench/profiles/", import.meta.url));

export async function run({ quick, log }) {
  const seconds = quick ? 3 : 8;
  mkdirSync(DIR, { recursive: true });
  const rows = [];
  const postgres = (await postgresProblem()) ? undefined : await createDatabase("profile");
  try {
    for (const target of postgres ? ["memory", "sqlite", "postgres"] : ["memory", "sqlite"]) rows.push(await profileOf(target, seconds, postgres?.url, log));
  } finally {
    await postgres?.drop();
  }
  return { rows, notes: [`profiles: ${seconds} s of sequential linear-3 runs per path under --cpu-prof after 1 s of warm-up, which the summary leaves out (the profiler slows runs down; read shares, not rates); shares are of the busy time, idle left out; the SQLite and PostgreSQL paths are the worker's (submit + Worker.runOne), PostgreSQL with 32 runs in flight`] };
}

async function profileOf(target, seconds, postgresUrl, log) {
  for (const file of readdirSync(DIR).filter((f) => f.startsWith(`${target}.`))) rmSync(`${DIR}${file}`);
  const name = `${target}.cpuprofile`;
  const env = { ...process.env, ...(postgresUrl ? { BENCH_PROFILE_DATABASE_URL: postgresUrl } : {}) };
  const child = spawnSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${DIR}`, `--cpu-prof-name=${name}`, TARGET, target, String(seconds)], { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (child.status !== 0) throw new Error(`profile of ${target} exited with ${child.status}`);
  const { runs, sinceMicros } = JSON.parse(child.stdout.trim().split("\n").at(-1));
  const profile = JSON.parse(readFileSync(`${DIR}${name}`, "utf8"));
  if (!(sinceMicros > profile.startTime && sinceMicros < profile.endTime)) throw new Error("the warm-up mark is outside the profile: clocks differ");
  const summary = summarise(profile, sinceMicros);
  log(`${target}: ${runs} runs in ${seconds} s under the profiler; top: ${summary.functions.slice(0, 3).map((f) => `${f.name} ${(f.share * 100).toFixed(1)} %`).join(", ")}`);
  return { section: "profile", target, runs, seconds, file: `out/bench/profiles/${name}`, totalMs: summary.totalMs, idleShare: summary.idleShare, areas: summary.areas.slice(0, 12), functions: summary.functions.slice(0, 25) };
}
