// 1. Engine overhead: the same shapes of no-op steps through cs-agents and its peers,
// sequentially and with 100 runs in flight. Every subject runs in a process of its own
// (bench/subject-process.mjs), as it would in production. Repetitions go round-robin over the
// subjects (every subject's rep 1, then every subject's rep 2, …), so a burst of load from
// elsewhere on the machine spreads over all of them instead of hitting one.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINE_SUBJECTS } from "../engine-subjects.mjs";
import { summary } from "../measure.mjs";
import { createDatabase, postgresProblem } from "../postgres-database.mjs";
import { SHAPES, SHAPE_NAMES } from "../shapes.mjs";

const IN_FLIGHT = 100;
const SUBJECT_PROCESS = fileURLToPath(new URL("../subject-process.mjs", import.meta.url));

/** A subject's process; `request` sends one command and resolves with its reply. */
function spawnSubject() {
  // The child's stdout goes to our stderr: this section's stdout carries only its result.
  const child = fork(SUBJECT_PROCESS, [], { execArgv: ["--expose-gc", "--no-warnings"], stdio: ["ignore", "pipe", "inherit", "ipc"] });
  child.stdout.on("data", (chunk) => process.stderr.write(chunk));
  let exited;
  const exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve((exited = `the subject process exited (${signal ?? code})`))));
  return {
    async request(message) {
      if (exited) throw new Error(exited);
      const reply = new Promise((resolve) => child.once("message", resolve));
      child.send(message);
      const answer = await Promise.race([reply, exit.then((why) => ({ error: why }))]);
      if (answer.error) throw new Error(answer.error);
      return answer;
    },
    async close() {
      if (!exited) await this.request({ cmd: "close" }).catch(() => child.kill());
      await exit;
    },
  };
}

/** Calibrates each subject's `mode` work, then takes `reps` repetitions round-robin. */
async function measureAll(entries, mode, timing) {
  for (const entry of entries) {
    if (entry.error) continue;
    try {
      await entry.process.request({ cmd: "calibrate", mode, timing, inFlight: IN_FLIGHT });
      entry[mode] = [];
    } catch (error) {
      entry.error = error.message;
    }
  }
  for (let rep = 0; rep < timing.reps; rep++) {
    for (const entry of entries) {
      if (entry.error) continue;
      try {
        entry[mode].push((await entry.process.request({ cmd: "rate", mode })).rate);
      } catch (error) {
        entry.error = error.message;
      }
    }
  }
}

/** One process per subject for `shape`, opened; a subject that fails to open carries its error. */
async function openEntries(shape, dir, postgres) {
  const entries = [];
  for (const { key, postgres: database } of ENGINE_SUBJECTS) {
    if (database && !postgres) continue;
    const entry = { key, name: key, process: spawnSubject() };
    try {
      const spec = { key, shape, dir, postgresUrl: database && postgres[database].url };
      Object.assign(entry, await entry.process.request({ cmd: "open", spec }));
    } catch (error) {
      entry.error = error.message;
    }
    entries.push(entry);
  }
  return entries;
}

export async function run({ quick, log }) {
  const timing = quick ? { repMs: 150, reps: 3, warmupMs: 500 } : { repMs: 200, reps: 5, warmupMs: 1_200 };
  const concurrentTiming = { ...timing, reps: 3, warmupMs: timing.repMs * 2, minN: IN_FLIGHT };
  const notes = [];
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-peers-"));
  const problem = await postgresProblem();
  const postgres = problem ? undefined : { cs: await createDatabase("cs"), lg: await createDatabase("lg") };
  if (problem) notes.push(`PostgreSQL unreachable (${problem}): its rows are missing`);
  const rows = [];
  try {
    for (const shape of SHAPE_NAMES) {
      const steps = SHAPES[shape].nodes.length;
      const entries = await openEntries(shape, dir, postgres);
      try {
        await measureAll(entries, "sequential", timing);
        if (!quick || shape === "linear3") await measureAll(entries, "concurrent", concurrentTiming);
      } finally {
        await Promise.all(entries.map((entry) => entry.process.close()));
      }
      for (const entry of entries) {
        const seq = entry.sequential?.length ? summary(entry.sequential) : undefined;
        const conc = entry.concurrent?.length ? summary(entry.concurrent) : undefined;
        const row = { section: "engine", key: entry.key, subject: entry.name, shape, steps };
        if (entry.error) row.error = entry.error;
        if (seq) Object.assign(row, { sequentialPerSecond: seq.perSecond, sequentialSpread: [seq.min, seq.max], usPerStep: 1e6 / (seq.perSecond * steps) });
        if (conc) Object.assign(row, { concurrentPerSecond: conc.perSecond, concurrentSpread: [conc.min, conc.max] });
        rows.push(row);
        const rates = `${row.sequentialPerSecond?.toFixed(0) ?? "-"} runs/s seq, ${row.concurrentPerSecond?.toFixed(0) ?? "-"} runs/s ×${IN_FLIGHT}`;
        log(`${SHAPES[shape].label.padEnd(14)} ${row.subject.padEnd(44)} ${row.error ? `error: ${row.error}` : rates}`);
      }
    }
  } finally {
    await postgres?.cs.drop();
    await postgres?.lg.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  const how = `${timing.reps} repetitions of ~${timing.repMs} ms each, round-robin over the subjects, after ${timing.warmupMs} ms of warm-up per subject`;
  return {
    rows,
    notes: [
      ...notes,
      "every subject in a process of its own (its own V8 heap, JIT and async hooks), idle while the others run",
      `sequential: median of ${how}`,
      `×${IN_FLIGHT}: ${IN_FLIGHT} runs in flight at once; median of ${concurrentTiming.reps} repetitions, same scheme${quick ? " (linear 3 only with --quick)" : ""}`,
    ],
  };
}
