import { setTimeout as sleep } from "node:timers/promises";
import { CsAgentsError, describeError } from "../core/index.js";
import type { Cache, CacheStats, Lock, LockAttempt } from "./cache.js";
import { tenantKeyPrefix, toolKeyPrefix } from "./cache-key.js";
import { checkOption, checkTtlMs, encodeCacheValue } from "./cache-value.js";
import { singleFlight } from "./single-flight.js";
import { tieredCache } from "./tiered-cache.js";

export interface ToolCacheOptions {
  /** In-process cache, read first. */
  readonly l1: Cache;
  /** Shared cache, read after L1; without it nothing is shared between processes. */
  readonly l2?: Cache;
  /**
   * Lock for single-flight across processes; needs `l2`, where waiters find the value. Usually
   * the same `RedisCache` as `l2`. The tool cache does not close it.
   */
  readonly lock?: Lock;
  /** How long the computing process holds the lock; set it above the slowest compute. Default 10,000. */
  readonly lockMs?: number;
  /** How long other processes wait for that value before computing themselves. Default `lockMs`. */
  readonly waitMs?: number;
  /** How often a waiting process looks for the value. Default 25. */
  readonly pollMs?: number;
}

export interface GetOrComputeOptions {
  /**
   * Also cache a rejection of `compute` (for the same TTL), so later calls reject at once with
   * a CsAgentsError of the same code and message. Retryable errors and cancellations are never
   * cached. Default false.
   */
  readonly cacheFailures?: boolean;
}

/** A value and where it came from: the cache, this call's compute, or a concurrent identical call. */
export interface ToolCacheResult {
  readonly value: unknown;
  readonly source: "hit" | "computed" | "joined";
}

/**
 * `hits`/`misses` count cache lookups (a waiting process's polls included); `computed` counts
 * runs of `compute`, `joined` calls that shared another call's run.
 */
export interface ToolCacheStats extends CacheStats {
  readonly computed: number;
  readonly joined: number;
}

/** Cached tool results with single-flight; keys come from `cacheKey`. */
export interface ToolCache {
  /**
   * The cached value of `key`, or the result of `compute`, stored for `ttlMs`. Concurrent calls
   * with the same key in this process share one `compute`; with a `lock`, so do other processes.
   * A rejection of `compute` is passed on (and shared with joined calls), not cached unless asked.
   * Every caller gets the value in its JSON form (a Date becomes a string), as a hit would.
   * @throws CsAgentsError CACHE_TTL_INVALID; CACHE_VALUE_INVALID when the value has no JSON form;
   *   the code of a cached failure; or whatever `compute` threw.
   */
  getOrCompute(
    key: string,
    ttlMs: number,
    compute: () => Promise<unknown>,
    options?: GetOrComputeOptions,
  ): Promise<ToolCacheResult>;
  /** @throws CsAgentsError (CACHE_UNAVAILABLE) when L2 could not confirm the deletion. */
  invalidate(key: string): Promise<void>;
  /** Deletes every entry of `tool`: all scopes, tenants and versions. Throws like `invalidate`. */
  invalidateTool(tool: string): Promise<void>;
  /**
   * Deletes `tenant`'s entries (tenant and run scopes) of each tool in `tools` (the registry's
   * names): keys start with the tool, so a tenant is one prefix per tool. Throws like `invalidate`.
   */
  invalidateTenant(tenant: string, tools: readonly string[]): Promise<void>;
  stats(): ToolCacheStats;
  /** Closes `l1` and `l2`. */
  close(): Promise<void>;
}

type Entry = { readonly value: unknown } | { readonly failure: { readonly code: string; readonly message: string } };

const NO_LOCK: LockAttempt = { status: "unavailable" };

/**
 * Builds the cache the tool executor reads through.
 * @throws CsAgentsError (INVALID_OPTIONS) when a `lock` comes without `l2` or a duration is out of range.
 * @example
 * const redis = await RedisCache.connect({ url, onError: (e) => log.warn(e) });
 * const cache = createToolCache({ l1: new MemoryCache(), l2: redis, lock: redis });
 * const { value } = await cache.getOrCompute(cacheKey({ tool, version, input, scope: "global" }), 60_000, run);
 */
export function createToolCache(options: ToolCacheOptions): ToolCache {
  return new SingleFlightCache(options);
}

class SingleFlightCache implements ToolCache {
  readonly #cache: Cache;
  readonly #lock: Lock | undefined;
  readonly #lockMs: number;
  readonly #waitMs: number;
  readonly #pollMs: number;
  readonly #flights = singleFlight<ToolCacheResult>();
  #computed = 0;
  #joined = 0;

  constructor(options: ToolCacheOptions) {
    if (options.lock && !options.l2) {
      throw new CsAgentsError("INVALID_OPTIONS", "a tool cache lock needs an l2 cache, where waiting processes find the value");
    }
    this.#cache = options.l2 ? tieredCache(options.l1, options.l2) : options.l1;
    this.#lock = options.lock;
    this.#lockMs = checkOption("lockMs", options.lockMs ?? 10_000, 1, true);
    this.#waitMs = checkOption("waitMs", options.waitMs ?? this.#lockMs, 0);
    this.#pollMs = checkOption("pollMs", options.pollMs ?? 25, 1);
  }

  async getOrCompute(
    key: string,
    ttlMs: number,
    compute: () => Promise<unknown>,
    options: GetOrComputeOptions = {},
  ): Promise<ToolCacheResult> {
    checkTtlMs(ttlMs);
    const joining = this.#flights.has(key);
    if (joining) this.#joined++;
    const result = await this.#flights.run(key, () => this.#fill(key, ttlMs, compute, options.cacheFailures ?? false));
    // A copy per joined caller (the value is plain JSON data by now): one of them mutating its
    // result must not change the others'.
    return joining ? { value: structuredClone(result.value), source: "joined" } : result;
  }

  async invalidate(key: string): Promise<void> {
    await this.#cache.delete(key);
  }

  async invalidateTool(tool: string): Promise<void> {
    await this.#cache.deleteByPrefix(toolKeyPrefix(tool));
  }

  async invalidateTenant(tenant: string, tools: readonly string[]): Promise<void> {
    // One at a time: each is a full SCAN on Redis, and running them together would only load it.
    for (const tool of tools) await this.#cache.deleteByPrefix(tenantKeyPrefix(tool, tenant));
  }

  stats(): ToolCacheStats {
    return { ...this.#cache.stats(), computed: this.#computed, joined: this.#joined };
  }

  async close(): Promise<void> {
    await this.#cache.close();
  }

  /**
   * Read; on a miss take the lock and compute. While another process holds the lock, poll for
   * its value (retrying the lock, which frees up early if that process failed) until `waitMs`,
   * then compute anyway: a stuck peer may cost a duplicate compute, never a stuck caller.
   */
  async #fill(
    key: string,
    ttlMs: number,
    compute: () => Promise<unknown>,
    cacheFailures: boolean,
  ): Promise<ToolCacheResult> {
    const deadline = performance.now() + this.#waitMs;
    for (;;) {
      const cached = await this.#lookup(key);
      if (cached) return cached;
      const attempt = this.#lock ? await this.#lock.acquire(key, this.#lockMs) : NO_LOCK;
      if (attempt.status === "acquired") return this.#computeLocked(key, attempt.token, ttlMs, compute, cacheFailures);
      if (attempt.status === "unavailable" || performance.now() >= deadline) {
        return this.#compute(key, ttlMs, compute, cacheFailures);
      }
      await sleep(this.#pollMs);
    }
  }

  async #computeLocked(
    key: string,
    token: string,
    ttlMs: number,
    compute: () => Promise<unknown>,
    cacheFailures: boolean,
  ): Promise<ToolCacheResult> {
    try {
      // The previous holder may have stored the value and released between our read and our lock.
      return (await this.#lookup(key)) ?? (await this.#compute(key, ttlMs, compute, cacheFailures));
    } finally {
      await this.#lock?.release(key, token);
    }
  }

  async #compute(
    key: string,
    ttlMs: number,
    compute: () => Promise<unknown>,
    cacheFailures: boolean,
  ): Promise<ToolCacheResult> {
    this.#computed++;
    let value: unknown;
    try {
      value = await compute();
    } catch (error) {
      if (cacheFailures && isLastingFailure(error)) await this.#cache.set(key, { failure: describeError(error) }, ttlMs);
      throw error;
    }
    // Callers get the JSON form, as a later hit would: a first call and a cached one never differ.
    const json = encodeCacheValue(value);
    await this.#cache.set(key, { value } satisfies Entry, ttlMs);
    return { value: JSON.parse(json) as unknown, source: "computed" };
  }

  /** @throws CsAgentsError with the code and message of a cached failure. */
  async #lookup(key: string): Promise<ToolCacheResult | undefined> {
    const hit = await this.#cache.get(key);
    const entry = hit ? asEntry(hit.value) : undefined;
    if (entry === undefined) return undefined;
    if ("failure" in entry) throw new CsAgentsError(entry.failure.code, entry.failure.message);
    return { value: entry.value, source: "hit" };
  }
}

/** Worth remembering: trying again soon would fail the same way. */
function isLastingFailure(error: unknown): boolean {
  return !(error instanceof CsAgentsError && (error.retryable || error.code === "CANCELLED"));
}

/** An entry this cache wrote, or undefined for anything else (which then reads as a miss). */
function asEntry(stored: unknown): Entry | undefined {
  if (typeof stored !== "object" || stored === null) return undefined;
  if ("value" in stored) return { value: stored.value };
  if (!("failure" in stored) || typeof stored.failure !== "object" || stored.failure === null) return undefined;
  const { code, message } = stored.failure as { code?: unknown; message?: unknown };
  return typeof code === "string" && typeof message === "string" ? { failure: { code, message } } : undefined;
}
