import { LRUCache } from "lru-cache";
import type { ArtifactStore } from "./artifact-store.js";

/** What the API process keeps of recently read blobs, by default. */
export const DEFAULT_READ_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * The store with recently read blobs kept in memory, up to `maxBytes` in all: a blob's name is
 * the SHA-256 of its bytes, so a kept copy is never stale. A run's page reads the same subtask
 * outputs on every refresh, and each read from the filesystem store was an open, a stat, a
 * read, a close and a hash check (a third of the page's CPU); from S3, a round trip. A blob
 * larger than an eighth of the budget is not kept, so one workbook cannot push out the rest.
 * Every caller gets its own copy of the bytes.
 */
export function withReadCache(store: ArtifactStore, maxBytes = DEFAULT_READ_CACHE_BYTES): ArtifactStore {
  const kept = new LRUCache<string, Buffer>({ maxSize: maxBytes, sizeCalculation: (bytes) => Math.max(1, bytes.length) });
  const largest = Math.floor(maxBytes / 8);
  const { listBlobs, writtenAt, delete: remove, close } = store;
  return {
    location: store.location,
    put: (bytes) => store.put(bytes),
    async get(sha256) {
      const hit = kept.get(sha256);
      if (hit) return Buffer.from(hit);
      const bytes = await store.get(sha256);
      if (bytes.length <= largest) kept.set(sha256, Buffer.from(bytes));
      return bytes;
    },
    has: (sha256) => store.has(sha256),
    list: () => store.list(),
    ...(listBlobs ? { listBlobs: () => listBlobs.call(store) } : {}),
    ...(writtenAt ? { writtenAt: (sha256: string) => writtenAt.call(store, sha256) } : {}),
    ...(remove
      ? {
          delete: async (sha256: string) => {
            kept.delete(sha256);
            await remove.call(store, sha256);
          },
        }
      : {}),
    ...(close ? { close: () => close.call(store) } : {}),
  };
}
