// A fresh PostgreSQL database per bench section, dropped afterwards.
import { randomBytes } from "node:crypto";
import pg from "pg";

/** The server the bench uses; its own databases are created (and dropped) beside the one named here. */
export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function admin(sql) {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Undefined when the server answers, else why not. */
export async function postgresProblem() {
  try {
    await admin("select 1");
    return undefined;
  } catch (error) {
    return error.message;
  }
}

/** Creates `cs_agents_bench_<random>`; returns its URL and `drop()`. */
export async function createDatabase(purpose) {
  const name = `cs_agents_bench_${purpose}_${randomBytes(4).toString("hex")}`;
  await admin(`create database ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}
