import { createToolCache, MemoryCache, RedisCache, type ToolCache } from "../cache/index.js";
import type { CsAgentsError } from "../core/index.js";

export interface ToolCacheSettings {
  /** 0 turns tool caching off. */
  readonly maxEntries: number;
  readonly maxMegabytes: number;
  /** Adds Redis as the shared L2 and the cross-worker lock; empty: in-process only. */
  readonly redisUrl: string;
  readonly onError: (error: CsAgentsError) => void;
}

/**
 * The tool cache a process uses: L1 in memory, plus L2 and locks in Redis when configured.
 * Redis that cannot be reached at start is reported through `onError` and the process goes on
 * with L1 alone: the cache is an accelerator, never a dependency.
 */
export async function openToolCache(settings: ToolCacheSettings): Promise<ToolCache | undefined> {
  if (settings.maxEntries === 0) return undefined;
  const l1 = new MemoryCache({ maxEntries: settings.maxEntries, maxBytes: settings.maxMegabytes * 1024 * 1024 });
  if (settings.redisUrl === "") return createToolCache({ l1 });
  try {
    const redis = await RedisCache.connect({ url: settings.redisUrl, onError: settings.onError });
    return createToolCache({ l1, l2: redis, lock: redis });
  } catch (error) {
    settings.onError(error as CsAgentsError);
    return createToolCache({ l1 });
  }
}
