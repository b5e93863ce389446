import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

// A checkpoint waits on two fsyncs (the WAL, then the database file), and that wait, not the
// copying, is nearly all of its cost: 24 ms for 8,100 WAL pages here, 1.9 ms of it without
// the fsyncs. In the committing thread it stalls every run behind it. This thread copies the
// WAL back with a connection of its own, PASSIVE so it never blocks a writer, and keeps up with
// the writes, so the checkpoint a commit still runs at `checkpointPages` (the one that lets the
// WAL start over) finds little left to copy and sync.

// Dynamic imports inside a function: the code runs as a CommonJS script or, when the process
// was started with --input-type=module (which threads inherit), as a module.
const THREAD = `
(async () => {
const { parentPort, workerData } = await import("node:worker_threads");
const { createRequire } = await import("node:module");
const counters = new Int32Array(workerData.counters);
let db;
let delay = workerData.minDelayMs;
let lastLog = -1;
let timer;
function fail(error) {
  parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  db?.close();
}
function tick() {
  try {
    const [{ log, checkpointed }] = db.pragma("wal_checkpoint(PASSIVE)");
    const grew = log !== lastLog;
    lastLog = log;
    if (grew && checkpointed > 0) Atomics.add(counters, 0, 1);
    // Back off while nothing is written, so an idle process wakes a few times a second at most.
    delay = grew ? workerData.minDelayMs : Math.min(delay * 2, workerData.maxDelayMs);
    timer = setTimeout(tick, delay);
  } catch (error) {
    fail(error);
  }
}
parentPort.on("message", () => {
  clearTimeout(timer);
  db?.close();
  parentPort.close();
});
try {
  const Database = createRequire(workerData.driver)(workerData.driver);
  db = new Database(workerData.path);
  db.pragma("synchronous = " + workerData.synchronous);
  // Reads the file's header: a path that is not a database in WAL mode fails here, not later.
  const mode = db.pragma("journal_mode", { simple: true });
  if (mode !== "wal") throw new Error("the database is in " + mode + " mode, not WAL");
  timer = setTimeout(tick, delay);
} catch (error) {
  fail(error);
}
})();
`;

export interface BackgroundCheckpointStats {
  /** Checkpoints the thread ran that copied pages. */
  readonly checkpoints: number;
  /** Why the thread stopped on its own, if it did; commits then checkpoint alone, as SQLite does. */
  readonly failure?: string;
}

export class BackgroundCheckpoint {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  // Shared with the thread, so the count is current even while this thread never yields.
  readonly #counters = new Int32Array(new SharedArrayBuffer(4));
  #failure: string | undefined;

  constructor(path: string, synchronous: "NORMAL" | "FULL") {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.#worker = new Worker(THREAD, { eval: true, workerData: { path, synchronous, driver, counters: this.#counters.buffer, minDelayMs: 10, maxDelayMs: 500 } });
    this.#worker.unref();
    this.#worker.on("message", (message: { error: string }) => {
      this.#failure = message.error;
    });
    // An error thrown in the thread may arrive without its message (it is cloned across).
    this.#worker.on("error", (error: unknown) => {
      this.#failure = error instanceof Error ? error.message : String(error);
    });
    this.#exited = new Promise((resolve) => this.#worker.once("exit", () => resolve()));
  }

  stats(): BackgroundCheckpointStats {
    return { checkpoints: Atomics.load(this.#counters, 0), ...(this.#failure === undefined ? {} : { failure: this.#failure }) };
  }

  /** Closes the thread's connection and waits for the thread to end. */
  async stop(): Promise<void> {
    // Unreferenced, the thread would let the process exit with this promise pending, and code
    // after `await store.close()` would never run.
    this.#worker.ref();
    this.#worker.postMessage("stop");
    await this.#exited;
  }
}
