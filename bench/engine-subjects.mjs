// The configurations the engine-overhead section compares, each opened by its key in a process
// of its own (bench/subject-process.mjs). Peers are imported only in their own processes.
import { join } from "node:path";
import { memorySubject, openPostgres, openTempSqlite, storeSubject } from "./cs-agents-subject.mjs";

/** In the order the section reports them; `postgres` ones are left out when there is no server. */
export const ENGINE_SUBJECTS = [
  { key: "cs-memory" },
  { key: "cs-sqlite-eager" },
  { key: "cs-sqlite-worker" },
  { key: "cs-postgres-eager", postgres: "cs" },
  { key: "cs-postgres-worker", postgres: "cs" },
  { key: "lg-none" },
  { key: "lg-memory" },
  { key: "lg-sqlite" },
  { key: "lg-postgres", postgres: "lg" },
  { key: "mastra-none" },
  { key: "mastra-memory" },
  { key: "mastra-libsql" },
];

/**
 * @param {{ key: string, shape: string, dir: string, postgresUrl?: string }} spec
 * `dir` is a scratch directory for the peers' database files.
 */
export async function openEngineSubject({ key, shape, dir, postgresUrl }) {
  const [family, kind, path] = key.split("-");
  if (key === "cs-memory") return memorySubject(shape);
  if (family === "cs" && kind === "sqlite") {
    const sqlite = openTempSqlite();
    return { ...storeSubject(shape, sqlite.store, { kind, path }), close: () => sqlite.close() };
  }
  if (family === "cs" && kind === "postgres") {
    const store = await openPostgres(postgresUrl);
    return { ...storeSubject(shape, store, { kind, path }), close: () => store.close() };
  }
  if (family === "lg") {
    const { langgraphSubject } = await import("./peers/langgraph-subject.mjs");
    return langgraphSubject(shape, kind, { sqlitePath: join(dir, `langgraph-${shape}.db`), postgresUrl });
  }
  if (family === "mastra") {
    const { mastraSubject } = await import("./peers/mastra-subject.mjs");
    return mastraSubject(shape, kind, { libsqlPath: join(dir, `mastra-${shape}.db`) });
  }
  throw new Error(`unknown engine subject "${key}"`);
}
