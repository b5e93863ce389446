import type { AuditDraft, AuditSink, AuditStore, AuditedStepStore } from "../store/index.js";

/**
 * The `AuditSink` the engine calls for every sensitive tool call (with its arguments), refused
 * tool and model output; each becomes one chained entry in the store's audit log. Given a store
 * that also holds the journal, an entry about a step is committed with that step.
 */
export function createStoreAuditSink(store: Pick<AuditStore, "appendAudit"> & Partial<AuditedStepStore>): AuditSink {
  const append = async (draft: AuditDraft) => {
    await store.appendAudit(draft);
  };
  if (!store.recordAudited) return { append };
  const recordAudited = store.recordAudited.bind(store);
  return { append, recordStep: (lease, step, draft) => recordAudited(lease, step, draft) };
}
