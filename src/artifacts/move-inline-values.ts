import type { InlineValueStore } from "../store/index.js";
import type { ArtifactStore } from "./artifact-store.js";
import { DEFAULT_INLINE_LIMIT, packValue } from "./blob-ref.js";

/** What `moveInlineValues` did. */
export interface MoveReport {
  readonly runs: number;
  /** Row values rewritten with references. */
  readonly values: number;
}

/**
 * Moves the inline artifacts and large values of the runs written before the artifact store
 * (listed by the store's migration) into `artifacts`, a batch of runs at a time, until none is
 * left. Safe to stop and run again, and while workers run: see `InlineValueStore`.
 */
export async function moveInlineValues(store: InlineValueStore, artifacts: ArtifactStore, options: { readonly batch?: number; readonly inlineLimit?: number; readonly onRun?: (runId: string, values: number) => void } = {}): Promise<MoveReport> {
  const limit = options.inlineLimit ?? DEFAULT_INLINE_LIMIT;
  let runs = 0;
  let values = 0;
  for (;;) {
    const batch = await store.runsWithInlineValues(options.batch ?? 100);
    if (batch.length === 0) return { runs, values };
    for (const runId of batch) {
      const changed = await store.rewriteRunValues(runId, (value) => packValue(value, artifacts, limit));
      runs++;
      values += changed;
      options.onRun?.(runId, changed);
    }
  }
}
