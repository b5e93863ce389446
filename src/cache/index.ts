export type { Cache, CacheHit, CacheStats, Lock, LockAttempt } from "./cache.js";
export { cacheKey, canonicalJson, tenantKeyPrefix, toolKeyPrefix, type CacheKeyParts, type CacheScope } from "./cache-key.js";
export { MemoryCache, type MemoryCacheOptions } from "./memory-cache.js";
export { RedisCache, type RedisCacheOptions } from "./redis-cache.js";
export { tieredCache } from "./tiered-cache.js";
export { singleFlight, type SingleFlight } from "./single-flight.js";
export {
  createToolCache,
  type GetOrComputeOptions,
  type ToolCache,
  type ToolCacheOptions,
  type ToolCacheResult,
  type ToolCacheStats,
} from "./tool-cache.js";
