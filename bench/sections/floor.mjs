// What one durable commit costs on this machine, without cs-agents: the ceiling for any engine
// that commits every step before the next (runs/s ≤ commits/s ÷ commits per run).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { concurrent, sequential, throughput } from "../measure.mjs";
import { createDatabase, postgresProblem } from "../postgres-database.mjs";

const PAYLOAD = JSON.stringify({ tool: "bench.noop", input: {}, output: {} });

export async function run({ quick, log }) {
  const timing = quick ? { repMs: 200, reps: 3, warmupMs: 200 } : { repMs: 500, reps: 5, warmupMs: 500 };
  const rows = [];
  const add = (row) => {
    rows.push({ section: "floor", ...row });
    log(`${row.case.padEnd(60)} ${row.perSecond.toFixed(0)} commits/s`);
  };

  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-floor-"));
  const db = new Database(join(dir, "floor.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("create table steps (id integer primary key, run_id text, key text, payload text)");
  const insert = db.prepare("insert into steps (run_id, key, payload) values (?, ?, ?)");
  const tx = db.transaction((i) => insert.run(`run-${i}`, "subtask/s1/call/0", PAYLOAD));
  let i = 0;
  add({ key: "sqlite-tx", case: "SQLite WAL, synchronous=NORMAL: one-insert IMMEDIATE transaction", ...(await throughput(sequential(async () => tx.immediate(i++)), timing)) });
  db.close();
  rmSync(dir, { recursive: true, force: true });

  const problem = await postgresProblem();
  if (problem) return { rows, notes: [`PostgreSQL unreachable (${problem})`] };
  const database = await createDatabase("floor");
  const pool = new pg.Pool({ connectionString: database.url, max: 10 });
  // Dropping the database WITH (FORCE) ends any connection a pool still holds: expected here,
  // and an unhandled pool 'error' would end the process before the section reports.
  const ignoreDropped = () => undefined;
  pool.on("error", ignoreDropped);
  try {
    await pool.query("create table steps (id bigserial primary key, run_id text, key text, payload json)");
    const query = { name: "floor_insert", text: "insert into steps (run_id, key, payload) values ($1, $2, $3)" };
    const once = () => pool.query({ ...query, values: [`run-${i++}`, "subtask/s1/call/0", PAYLOAD] });
    add({ key: "postgres-seq", case: "PostgreSQL: one-insert transaction, sequential", ...(await throughput(sequential(once), timing)) });
    add({ key: "postgres-10", case: "PostgreSQL: one-insert transaction, 10 connections at once", ...(await throughput(concurrent(once, 10), { ...timing, minN: 10 })) });
    const wide = new pg.Pool({ connectionString: database.url, max: 30 });
    wide.on("error", ignoreDropped);
    try {
      const onWide = () => wide.query({ ...query, values: [`run-${i++}`, "subtask/s1/call/0", PAYLOAD] });
      add({ key: "postgres-30", case: "PostgreSQL: one-insert transaction, 30 connections at once", ...(await throughput(concurrent(onWide, 30), { ...timing, minN: 30 })) });
    } finally {
      await wide.end();
    }
    const settings = await pool.query("select name, setting from pg_settings where name in ('synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay')");
    return { rows, notes: [`floor: PostgreSQL ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(", ")}`] };
  } finally {
    await pool.end();
    await database.drop();
  }
}
