import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { CsAgentsError } from "../core/index.js";
import type { Cache, CacheHit, CacheStats, Lock, LockAttempt } from "./cache.js";
import { checkOption, checkTtlMs, encodeCacheValue } from "./cache-value.js";
import { RedisGuard } from "./redis-guard.js";

export interface RedisCacheOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. */
  readonly url: string;
  /** Namespace of every key this cache writes. Default `cs-agents:cache:`. */
  readonly keyPrefix?: string;
  /** Longest a `get` waits for Redis before it counts as a miss. Default 50. */
  readonly readTimeoutMs?: number;
  /** Longest each write, delete, SCAN batch or lock call waits. Default 100. */
  readonly writeTimeoutMs?: number;
  /** Longest `connect` waits for the first connection. Default 2,000. */
  readonly connectTimeoutMs?: number;
  /** Told once per outage (the first failed call); the next failures are only counted. */
  readonly onError: (error: CsAgentsError) => void;
}

interface Settings {
  readonly keyPrefix: string;
  readonly readTimeoutMs: number;
  readonly writeTimeoutMs: number;
}

/** Deletes the lock only while it still holds our token, so we never free a lock someone retook. */
const RELEASE_LOCK = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;
const SCAN_BATCH = 500;

/**
 * Redis cache (the L2), shared by every process, and the `Lock` used for single-flight across
 * processes. Values live at `<keyPrefix>val:<key>`, locks at `<keyPrefix>lock:<key>`. Every call
 * is bounded by a timeout; while Redis is down `get` misses, `set` does nothing, and the client
 * reconnects in the background, so the same instance works again once Redis is back.
 */
export class RedisCache implements Cache, Lock {
  readonly #client: Redis;
  readonly #guard: RedisGuard;
  readonly #settings: Settings;
  #hits = 0;
  #misses = 0;

  private constructor(client: Redis, guard: RedisGuard, settings: Settings) {
    this.#client = client;
    this.#guard = guard;
    this.#settings = settings;
    client.on("error", (error: unknown) => guard.failed("connection lost", error));
  }

  /**
   * Connects and waits for Redis to be ready.
   * @throws CsAgentsError (INVALID_OPTIONS) when the URL or a timeout is invalid;
   *   (CACHE_UNAVAILABLE, retryable) when Redis is not ready within `connectTimeoutMs`.
   */
  static async connect(options: RedisCacheOptions): Promise<RedisCache> {
    const target = describeTarget(options.url);
    const settings: Settings = {
      keyPrefix: options.keyPrefix ?? "cs-agents:cache:",
      readTimeoutMs: checkOption("readTimeoutMs", options.readTimeoutMs ?? 50, 1),
      writeTimeoutMs: checkOption("writeTimeoutMs", options.writeTimeoutMs ?? 100, 1),
    };
    const connectTimeoutMs = checkOption("connectTimeoutMs", options.connectTimeoutMs ?? 2_000, 1);
    const client = new Redis(options.url, {
      // Fail at once while disconnected instead of queueing commands until Redis returns.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: connectTimeoutMs,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
    });
    const lastError = await waitUntilReady(client, connectTimeoutMs);
    if (lastError !== undefined) {
      client.disconnect();
      const message = `Redis cache at ${target} not ready within ${connectTimeoutMs} ms: ${lastError}`;
      throw new CsAgentsError("CACHE_UNAVAILABLE", message, { retryable: true });
    }
    return new RedisCache(client, new RedisGuard(target, options.onError), settings);
  }

  async get(key: string): Promise<CacheHit | undefined> {
    const hit = await this.#read(this.#settings.keyPrefix + "val:" + key);
    if (hit === undefined) this.#misses++;
    else this.#hits++;
    return hit;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const json = encodeCacheValue(value);
    const ttl = checkTtlMs(ttlMs);
    const redisKey = this.#settings.keyPrefix + "val:" + key;
    try {
      await this.#guard.run("SET", this.#settings.writeTimeoutMs, () => this.#client.set(redisKey, json, "PX", ttl));
    } catch {
      // Already counted and reported by the guard; a lost write only costs a later miss.
    }
  }

  async delete(key: string): Promise<void> {
    const redisKey = this.#settings.keyPrefix + "val:" + key;
    await this.#guard.run("UNLINK", this.#settings.writeTimeoutMs, () => this.#client.unlink(redisKey));
  }

  /** SCAN + UNLINK in batches: never KEYS, which blocks Redis for every other client. */
  async deleteByPrefix(prefix: string): Promise<void> {
    const pattern = `${this.#settings.keyPrefix}val:${escapeGlob(prefix)}*`;
    const timeoutMs = this.#settings.writeTimeoutMs;
    let cursor = "0";
    do {
      const [next, keys] = await this.#guard.run("SCAN", timeoutMs, () =>
        this.#client.scan(cursor, "MATCH", pattern, "COUNT", SCAN_BATCH),
      );
      if (keys.length > 0) await this.#guard.run("UNLINK", timeoutMs, () => this.#client.unlink(...keys));
      cursor = next;
    } while (cursor !== "0");
  }

  async acquire(key: string, ttlMs: number): Promise<LockAttempt> {
    const ttl = checkTtlMs(ttlMs);
    const token = randomUUID();
    const lockKey = this.#settings.keyPrefix + "lock:" + key;
    try {
      const reply = await this.#guard.run("SET NX", this.#settings.writeTimeoutMs, () =>
        this.#client.set(lockKey, token, "PX", ttl, "NX"),
      );
      return reply === "OK" ? { status: "acquired", token } : { status: "held" };
    } catch {
      return { status: "unavailable" };
    }
  }

  async release(key: string, token: string): Promise<void> {
    const lockKey = this.#settings.keyPrefix + "lock:" + key;
    try {
      await this.#guard.run("EVAL release", this.#settings.writeTimeoutMs, () =>
        this.#client.eval(RELEASE_LOCK, 1, lockKey, token),
      );
    } catch {
      // The lock expires by itself after its TTL; waiting for that is the only cost.
    }
  }

  stats(): CacheStats {
    return { hits: { l1: 0, l2: this.#hits }, misses: this.#misses, redisErrors: this.#guard.failures };
  }

  /** Drops the connection at once: a cache has nothing to flush, and QUIT would wait on a dead Redis. */
  async close(): Promise<void> {
    this.#client.disconnect();
  }

  /** GET and PTTL in one round trip; undefined on a miss, an outage or an entry that isn't ours. */
  async #read(redisKey: string): Promise<CacheHit | undefined> {
    let reply: [unknown, unknown];
    try {
      reply = await this.#guard.run("GET", this.#settings.readTimeoutMs, async () => {
        const results = (await this.#client.pipeline().get(redisKey).pttl(redisKey).exec()) ?? [];
        const failure = results.find(([error]) => error !== null)?.[0];
        if (failure) throw failure;
        return [results[0]?.[1], results[1]?.[1]];
      });
    } catch {
      return undefined; // reported by the guard; an outage reads as a miss
    }
    const [json, ttlMs] = reply;
    // PTTL is -2 when the entry expired between GET and PTTL.
    if (typeof json !== "string" || typeof ttlMs !== "number" || ttlMs <= 0) return undefined;
    try {
      return { value: JSON.parse(json) as unknown, ttlMs };
    } catch {
      return undefined; // not written by us (keys are namespaced, so only by hand)
    }
  }
}

/** Resolves undefined once the client is ready, or the last connection error after `timeoutMs`. */
async function waitUntilReady(client: Redis, timeoutMs: number): Promise<string | undefined> {
  let lastError = "no answer";
  const remember = (error: unknown) => {
    lastError = error instanceof Error ? error.message : String(error);
  };
  client.on("error", remember);
  try {
    return await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(lastError), timeoutMs);
      client.once("ready", () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  } finally {
    client.off("error", remember);
  }
}

/** `host:port` for messages: the URL may carry a password, which must never reach a log. */
function describeTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CsAgentsError("INVALID_OPTIONS", "url must be a Redis URL such as redis://127.0.0.1:6379");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new CsAgentsError("INVALID_OPTIONS", `url must start with redis:// or rediss://, got ${parsed.protocol}//`);
  }
  return `${parsed.hostname}:${parsed.port || "6379"}`;
}

/** Makes a literal prefix safe inside a SCAN MATCH pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
