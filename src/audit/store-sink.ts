import type { AuditSink, AuditStore } from "../store/index.js";

/**
 * The `AuditSink` the engine is meant to call for every sensitive tool call (with its arguments)
 * and every model output; each becomes one chained entry in the store's audit log.
 */
export function createStoreAuditSink(store: Pick<AuditStore, "appendAudit">): AuditSink {
  return {
    async append(draft) {
      await store.appendAudit(draft);
    },
  };
}
