import type { Redis } from "ioredis";

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the window that counted this request ends. */
  readonly resetMs: number;
}

export interface RateLimiterOptions {
  readonly max: number;
  readonly windowMs: number;
  /** Shared counters for every replica; without it each process counts on its own. */
  readonly redis?: Redis;
}

// INCR and the expiry in one round trip, atomic on the server: a window starts with its first request.
const COUNT_SCRIPT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

const MAX_KEYS = 100_000;

/**
 * Requests per key (a tenant) and fixed window, below every door: REST, MCP, A2A and gRPC
 * draw from the same allowance. With Redis the count is shared by the replicas; when Redis
 * does not answer, requests are counted in process rather than refused, so a cache outage does
 * not become an API outage.
 */
export class RateLimiter {
  readonly #options: RateLimiterOptions;
  readonly #local = new Map<string, { count: number; resetAt: number }>();

  constructor(options: RateLimiterOptions) {
    this.#options = options;
  }

  async take(key: string): Promise<RateDecision> {
    const { redis, windowMs } = this.#options;
    if (redis) {
      try {
        const [count, ttl] = (await redis.eval(COUNT_SCRIPT, 1, `cs-agents-rate:${key}`, String(windowMs))) as [number, number];
        return this.#decision(count, ttl);
      } catch {
        // Counted locally below.
      }
    }
    return this.#takeLocal(key);
  }

  #takeLocal(key: string): RateDecision {
    const now = Date.now();
    let window = this.#local.get(key);
    if (!window || window.resetAt <= now) {
      if (this.#local.size >= MAX_KEYS) this.#sweep(now);
      window = { count: 0, resetAt: now + this.#options.windowMs };
      this.#local.set(key, window);
    }
    window.count += 1;
    return this.#decision(window.count, window.resetAt - now);
  }

  #decision(count: number, resetMs: number): RateDecision {
    const { max } = this.#options;
    return { allowed: count <= max, limit: max, remaining: Math.max(0, max - count), resetMs: Math.max(0, resetMs) };
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#local) if (window.resetAt <= now) this.#local.delete(key);
    // Still full: the oldest windows go (a Map iterates in insertion order).
    for (const key of this.#local.keys()) {
      if (this.#local.size < MAX_KEYS) break;
      this.#local.delete(key);
    }
  }
}
