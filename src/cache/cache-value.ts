import { CsAgentsError } from "../core/index.js";

/**
 * The JSON text stored for `value`. Every adapter stores text, so each hit is a fresh copy and a
 * value reads back the same from memory as from Redis.
 * @throws CsAgentsError (CACHE_VALUE_INVALID) when the value has no JSON form.
 */
export function encodeCacheValue(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new CsAgentsError("CACHE_VALUE_INVALID", `cache value is not JSON-serialisable: ${String(error)}`, {
      cause: error,
    });
  }
  if (json === undefined) {
    throw new CsAgentsError("CACHE_VALUE_INVALID", `cache value of type ${typeof value} has no JSON form`);
  }
  return json;
}

/**
 * The TTL as whole milliseconds (rounded up, as Redis `PX` wants an integer).
 * @throws CsAgentsError (CACHE_TTL_INVALID) unless `ttlMs` is a finite number > 0.
 */
export function checkTtlMs(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new CsAgentsError("CACHE_TTL_INVALID", `cache ttlMs must be a finite number > 0, got ${ttlMs}`);
  }
  return Math.ceil(ttlMs);
}

/** Checks a numeric option when a cache is built, so bad wiring fails at startup. */
export function checkOption(name: string, value: number, min: number, integer = false): number {
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    const kind = integer ? "a whole number" : "a number";
    throw new CsAgentsError("INVALID_OPTIONS", `${name} must be ${kind} >= ${min}, got ${value}`);
  }
  return value;
}
