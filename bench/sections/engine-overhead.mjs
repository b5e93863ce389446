// 1. Engine overhead: the same shapes of no-op steps through cs-agents and its peers in this
// one process, sequentially and with 100 runs in flight. Repetitions go round-robin over the
// subjects (every subject's rep 1, then every subject's rep 2, …), so a burst of load from
// elsewhere on the machine spreads over all of them instead of hitting one.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memorySubject, openPostgres, openTempSqlite, storeSubject } from "../cs-agents-subject.mjs";
import { calibrate, concurrent, rate, sequential, summary } from "../measure.mjs";
import { langgraphSubject } from "../peers/langgraph-subject.mjs";
import { mastraSubject } from "../peers/mastra-subject.mjs";
import { createDatabase, postgresProblem } from "../postgres-database.mjs";
import { SHAPES, SHAPE_NAMES } from "../shapes.mjs";

const IN_FLIGHT = 100;

/** Every configuration compared, as a factory per shape; `close` ends what they share. */
async function openFactories(dir, postgres, notes) {
  const sqlite = openTempSqlite();
  const factories = [
    (shape) => memorySubject(shape),
    (shape) => storeSubject(shape, sqlite.store, { kind: "sqlite", path: "eager" }),
    (shape) => storeSubject(shape, sqlite.store, { kind: "sqlite", path: "worker" }),
  ];
  const closers = [() => sqlite.close()];
  if (postgres) {
    const store = await openPostgres(postgres.cs.url);
    closers.push(() => store.close());
    factories.push(
      (shape) => storeSubject(shape, store, { kind: "postgres", path: "eager" }),
      (shape) => storeSubject(shape, store, { kind: "postgres", path: "worker" }),
    );
  } else notes.push("PostgreSQL unreachable: its rows are missing");
  factories.push(
    (shape) => langgraphSubject(shape, "none"),
    (shape) => langgraphSubject(shape, "memory"),
    (shape) => langgraphSubject(shape, "sqlite", { sqlitePath: join(dir, `langgraph-${shape}.db`) }),
  );
  if (postgres) factories.push((shape) => langgraphSubject(shape, "postgres", { postgresUrl: postgres.lg.url }));
  factories.push(
    (shape) => mastraSubject(shape, "none"),
    (shape) => mastraSubject(shape, "memory"),
    (shape) => mastraSubject(shape, "libsql", { libsqlPath: join(dir, `mastra-${shape}.db`) }),
  );
  return { factories, close: () => Promise.all(closers.map((c) => c())) };
}

/** Calibrates each subject's `mode` work, then takes `reps` repetitions round-robin. */
async function measureAll(entries, mode, timing) {
  for (const entry of entries) {
    if (entry.error) continue;
    try {
      globalThis.gc?.();
      entry[mode] = { work: entry.makeWork(mode), rates: [] };
      entry[mode].n = await calibrate(entry[mode].work, timing);
    } catch (error) {
      entry.error = error.message;
    }
  }
  for (let rep = 0; rep < timing.reps; rep++) {
    for (const entry of entries) {
      if (entry.error) continue;
      try {
        entry[mode].rates.push(await rate(entry[mode].work, entry[mode].n));
      } catch (error) {
        entry.error = error.message;
      }
    }
  }
}

export async function run({ quick, log }) {
  const timing = quick ? { repMs: 150, reps: 3, warmupMs: 500 } : { repMs: 200, reps: 5, warmupMs: 1_200 };
  const concurrentTiming = { ...timing, reps: 3, warmupMs: timing.repMs * 2, minN: IN_FLIGHT };
  const notes = [];
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-peers-"));
  const problem = await postgresProblem();
  const postgres = problem ? undefined : { cs: await createDatabase("cs"), lg: await createDatabase("lg") };
  const { factories, close } = await openFactories(dir, postgres, notes);
  const rows = [];
  try {
    for (const shape of SHAPE_NAMES) {
      const steps = SHAPES[shape].nodes.length;
      const entries = [];
      for (const make of factories) {
        const subject = await make(shape);
        entries.push({ subject, makeWork: (mode) => (mode === "sequential" ? sequential(subject.runOnce) : concurrent(subject.runOnce, IN_FLIGHT)) });
      }
      await measureAll(entries, "sequential", timing);
      if (!quick || shape === "linear3") await measureAll(entries, "concurrent", concurrentTiming);
      for (const entry of entries) {
        await entry.subject.close();
        const seq = entry.sequential?.rates.length ? summary(entry.sequential.rates) : undefined;
        const conc = entry.concurrent?.rates.length ? summary(entry.concurrent.rates) : undefined;
        const row = { section: "engine", key: entry.subject.key, subject: entry.subject.name, shape, steps };
        if (entry.error) row.error = entry.error;
        if (seq) Object.assign(row, { sequentialPerSecond: seq.perSecond, sequentialSpread: [seq.min, seq.max], usPerStep: 1e6 / (seq.perSecond * steps) });
        if (conc) Object.assign(row, { concurrentPerSecond: conc.perSecond, concurrentSpread: [conc.min, conc.max] });
        rows.push(row);
        const rates = `${row.sequentialPerSecond?.toFixed(0) ?? "-"} runs/s seq, ${row.concurrentPerSecond?.toFixed(0) ?? "-"} runs/s ×${IN_FLIGHT}`;
        log(`${SHAPES[shape].label.padEnd(14)} ${row.subject.padEnd(44)} ${row.error ? `error: ${row.error}` : rates}`);
      }
    }
  } finally {
    await close();
    await postgres?.cs.drop();
    await postgres?.lg.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  const how = `${timing.reps} repetitions of ~${timing.repMs} ms each, round-robin over the subjects, after ${timing.warmupMs} ms of warm-up per subject`;
  return { rows, notes: [...notes, `sequential: median of ${how}`, `×${IN_FLIGHT}: ${IN_FLIGHT} runs in flight at once; median of ${concurrentTiming.reps} repetitions, same scheme${quick ? " (linear 3 only with --quick)" : ""}`] };
}
