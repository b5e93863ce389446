import type { Decision } from "../agents/index.js";
import type { ToolCache } from "../cache/index.js";
import { canonicalHash } from "../core/index.js";

/**
 * Where deterministic model answers may be kept (off by default). Only consulted when the
 * temperature is 0, keyed by everything that was sent: model name, system prompt, messages and
 * offered tools. A hit makes no request and reports no usage. Only usable decisions are kept.
 */
export interface ModelResponseCache {
  /** The kept decision for `key`, or the one `ask` makes (kept when `ask` resolves). */
  lookup(key: string, ask: () => Promise<Decision>): Promise<{ readonly decision: Decision; readonly cached: boolean }>;
}

/** The cache key of one request: a SHA-256 of its canonical JSON. */
export function responseCacheKey(request: { modelName: string; system: string; messages: unknown; tools: readonly string[] }): string {
  return `llm:${canonicalHash(request)}`;
}

/** A cache in process memory, for tests and one-off runs. */
export function createMemoryResponseCache(): ModelResponseCache {
  const entries = new Map<string, Decision>();
  return {
    async lookup(key, ask) {
      const kept = entries.get(key);
      if (kept) return { decision: kept, cached: true };
      const decision = await ask();
      entries.set(key, decision);
      return { decision, cached: false };
    },
  };
}

/**
 * Model answers in the project's tool cache (memory, plus Redis when configured): shared by
 * every worker, and identical concurrent requests make one call (single-flight).
 */
export function toolCacheResponses(cache: ToolCache, ttlMs: number): ModelResponseCache {
  return {
    async lookup(key, ask) {
      const { value, source } = await cache.getOrCompute(key, ttlMs, ask);
      return { decision: value as Decision, cached: source !== "computed" };
    },
  };
}
