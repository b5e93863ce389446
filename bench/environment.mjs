// What the numbers were measured on: machine, Node, package versions, servers, the command.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Redis } from "ioredis";
import { SERVER_URL } from "./postgres-database.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PRODUCT_PACKAGES = ["zod", "better-sqlite3", "pg", "ioredis", "cockatiel", "lru-cache"];
const PEER_PACKAGES = [
  "@langchain/langgraph",
  "@langchain/core",
  "@langchain/langgraph-checkpoint",
  "@langchain/langgraph-checkpoint-sqlite",
  "@langchain/langgraph-checkpoint-postgres",
  "@mastra/core",
  "@mastra/libsql",
  "@libsql/client",
];

function versionOf(dir, name) {
  try {
    return JSON.parse(readFileSync(`${dir}node_modules/${name}/package.json`, "utf8")).version;
  } catch {
    return "not installed";
  }
}

function git(...args) {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

async function postgresVersion() {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return (await client.query("show server_version")).rows[0].server_version;
  } catch {
    return "unreachable";
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisVersion() {
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  try {
    await redis.connect();
    return /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "unknown";
  } catch {
    return "unreachable";
  } finally {
    redis.disconnect();
  }
}

/** How this process was started, as a person would type it. */
export function commandLine(args) {
  const viaNpm = process.env.npm_lifecycle_event === "bench";
  return viaNpm ? `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}` : `node bench/run.mjs${args.length ? ` ${args.join(" ")}` : ""}`;
}

export async function describeEnvironment(args) {
  const cpu = cpus();
  const dirty = git("status", "--porcelain", "--", "src").length > 0;
  return {
    date: new Date().toISOString(),
    command: commandLine(args),
    machine: {
      cpu: cpu[0]?.model ?? "unknown",
      cores: cpu.length,
      ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      os: `${process.platform} ${release()}`,
      loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    node: process.version,
    csAgents: { version: JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).version, commit: `${git("rev-parse", "--short", "HEAD")}${dirty ? " + uncommitted changes in src/" : ""}` },
    packages: Object.fromEntries(PRODUCT_PACKAGES.map((name) => [name, versionOf(ROOT, name)])),
    peers: Object.fromEntries(PEER_PACKAGES.map((name) => [name, versionOf(`${ROOT}bench/peers/`, name)])),
    servers: { postgres: await postgresVersion(), redis: await redisVersion() },
  };
}
