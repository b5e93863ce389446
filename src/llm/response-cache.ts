import type { Decision } from "../agents/index.js";
import { canonicalHash } from "../core/index.js";

/**
 * Where deterministic model answers may be kept (the hook for the project cache; off by
 * default). Only consulted when the temperature is 0, keyed by everything that was sent: model
 * name, system prompt, messages and offered tools. A hit makes no request and reports no usage.
 * Values are decisions (JSON); an adapter over the project's `Cache` stores them as JSON.
 */
export interface ModelResponseCache {
  get(key: string): Promise<Decision | undefined>;
  set(key: string, decision: Decision): Promise<void>;
}

/** The cache key of one request: a SHA-256 of its canonical JSON. */
export function responseCacheKey(request: { modelName: string; system: string; messages: unknown; tools: readonly string[] }): string {
  return `llm:${canonicalHash(request)}`;
}

/** A cache in process memory, for tests and one-off runs. */
export function createMemoryResponseCache(): ModelResponseCache {
  const entries = new Map<string, Decision>();
  return {
    get: (key) => Promise.resolve(entries.get(key)),
    set: (key, decision) => {
      entries.set(key, decision);
      return Promise.resolve();
    },
  };
}
