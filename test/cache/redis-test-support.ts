import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

/** The local Redis every Redis-backed suite shares; each test file keeps to its own key prefix. */
export const REDIS_URL = "redis://127.0.0.1:6379";

/**
 * Whether the suite can run. Without Redis a suite is skipped with a warning naming it, except
 * in CI (`CI=true`), where a missing service must fail the build rather than hide tests.
 */
export async function requireRedis(suite: string, url = REDIS_URL): Promise<boolean> {
  if (await answersPing(url)) return true;
  const message = `${suite}: Redis at ${url} is unreachable (start it: redis-server --daemonize yes --port 6379 --save "" --appendonly no)`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`SKIPPED ${message}`);
  return false;
}

/** Whether `redis-server` can be started here; skips (or fails in CI) like `requireRedis`. */
export function requireRedisServerBinary(suite: string): boolean {
  if (spawnSync("redis-server", ["--version"]).status === 0) return true;
  const message = `${suite}: no redis-server on PATH to start a throwaway server`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`SKIPPED ${message}`);
  return false;
}

/** A key prefix no other test file or run uses. */
export function uniquePrefix(file: string): string {
  return `cs-agents-test:${file}:${randomUUID()}:`;
}

/** Deletes every key under `prefix` (values and locks), straight through a client of its own. */
export async function removeKeys(prefix: string, url = REDIS_URL): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}

/** Runs one command on a fresh connection (for inspecting what a cache wrote). */
export async function redisCommand(url: string, command: string, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/** A throwaway `redis-server` child on its own port, for tests that kill and restart Redis. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** SIGKILL, as a crash would, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** Starts a new server on the same port and waits until it answers. */
  restart(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child = await spawnServer(port, url);
  return {
    url,
    port,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
    async restart() {
      child = await spawnServer(port, url);
    },
  };
}

async function spawnServer(port: number, url: string): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", args, { stdio: "ignore" });
  for (let tries = 0; tries < 100; tries++) {
    if (await answersPing(url)) return child;
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server on port ${port} did not start`);
}

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/**
 * Timeouts for suites that test behaviour, not outages: on a loaded 2-core CI machine the event
 * loop alone can exceed the production 50 ms read budget and report false Redis errors.
 */
export const ROOMY_TIMEOUTS = { readTimeoutMs: 2_000, writeTimeoutMs: 2_000 } as const;
