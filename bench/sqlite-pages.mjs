// Which b-tree pages each SQLite commit of a 3-step no-op run writes, per store call. Unlike
// runs/s on a shared machine, this count does not move with the load: read it before and after
// a schema or statement change.
//   node bench/sqlite-pages.mjs [eager|worker] [runs]
// Every page a commit changes is one WAL frame (24-byte header + page). Each store call is one
// transaction: its frames run from where the WAL ended before the call (or from the start, when
// a checkpoint let the call restart the WAL) to the first commit frame. dbstat names the b-tree
// each page belongs to.
import { closeSync, openSync, readSync } from "node:fs";
import Database from "better-sqlite3";
import { openTempSqlite, storeSubject } from "./cs-agents-subject.mjs";

const [path = "eager", runsArg = "300"] = process.argv.slice(2);
if (path !== "eager" && path !== "worker") throw new Error(`unknown path "${path}": eager or worker`);
const runs = Number(runsArg);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a whole number ≥ 1, got "${runsArg}"`);

const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const FRAME = FRAME_HEADER + 4096;
const { store, file, close } = openTempSqlite();
const inspect = new Database(file, { readonly: true });
const owners = inspect.prepare("SELECT pageno, name FROM dbstat");
let fd;
const header = Buffer.alloc(FRAME_HEADER);

/** The WAL's salt (changes when the WAL restarts) and the offset after its last valid frame. */
function walState() {
  fd ??= openSync(`${file}-wal`, "r");
  readSync(fd, header, 0, 8, 16);
  const salt = header.readBigUInt64BE(0);
  let end = WAL_HEADER;
  while (readSync(fd, header, 0, FRAME_HEADER, end) === FRAME_HEADER && header.readBigUInt64BE(8) === salt) end += FRAME;
  return { salt, end };
}

/** The page numbers one transaction wrote, from `from` up to its commit frame. */
function committedPages(from) {
  const pages = [];
  for (let at = from; readSync(fd, header, 0, FRAME_HEADER, at) === FRAME_HEADER; at += FRAME) {
    pages.push(header.readUInt32BE(0));
    if (header.readUInt32BE(4) !== 0) break;
  }
  return pages;
}

let tracing = false;
const totals = new Map();
let callIndex = 0;
function count(name, before) {
  const after = walState();
  const from = after.salt === before.salt ? before.end : WAL_HEADER;
  const owner = new Map(owners.all().map((row) => [row.pageno, row.name]));
  const key = `${++callIndex}. ${name}`;
  const byTree = totals.get(key) ?? new Map();
  for (const page of committedPages(from)) {
    const tree = owner.get(page) ?? "(freed)";
    byTree.set(tree, (byTree.get(tree) ?? 0) + 1);
  }
  totals.set(key, byTree);
}

// The store the worker sees: every method call counted once it settles.
const traced = new Proxy(store, {
  get(target, name) {
    const value = Reflect.get(target, name);
    if (typeof value !== "function") return value;
    return (...args) => {
      if (!tracing) return value.apply(target, args);
      const before = walState();
      const result = value.apply(target, args);
      if (result instanceof Promise) return result.then((settled) => (count(String(name), before), settled));
      count(String(name), before);
      return result;
    };
  },
});
const subject = storeSubject("linear3", traced, { kind: "sqlite", path });
for (let i = 0; i < 100; i++) await subject.runOnce();
tracing = true;
for (let i = 0; i < runs; i++) {
  callIndex = 0;
  await subject.runOnce();
}
closeSync(fd);
inspect.close();
await close();

const trees = [...new Set([...totals.values()].flatMap((byTree) => [...byTree.keys()]))].sort();
const mean = (n) => (n / runs).toFixed(2);
console.log(`SQLite pages written per store call, mean of ${runs} 3-step runs (${path} path)\n`);
console.log(`| call | ${trees.join(" | ")} | all |`);
console.log(`| --- |${" ---: |".repeat(trees.length + 1)}`);
let all = 0;
for (const [call, byTree] of totals) {
  const sum = [...byTree.values()].reduce((a, b) => a + b, 0);
  all += sum;
  console.log(`| ${call} | ${trees.map((tree) => mean(byTree.get(tree) ?? 0)).join(" | ")} | ${mean(sum)} |`);
}
console.log(`| whole run | ${trees.map((tree) => mean([...totals.values()].reduce((a, byTree) => a + (byTree.get(tree) ?? 0), 0))).join(" | ")} | ${mean(all)} |`);
