/**
 * Rewrites a JSON value of a run's row or of one of its steps; gives back a value equal to it
 * for every reader (the artifact store's references in place of large parts).
 */
export type RewriteValue = (value: unknown) => Promise<unknown>;

/**
 * The runs written before the artifact store (listed by SQLite migration 10, PostgreSQL
 * migration 7), whose large values are still inline in their rows, and the rewrite that moves
 * them out. A rewrite changes a row only when it still holds the value read (compare and set),
 * so it never undoes a step a worker records meanwhile; it needs no lease since readers see equal
 * values before and after.
 */
export interface InlineValueStore {
  /** Up to `limit` runs still on the list. */
  runsWithInlineValues(limit: number): Promise<readonly string[]>;
  /** Rewrites the run's result and its steps' inputs and outputs (not its plan), then takes it off the list; the number of values changed. */
  rewriteRunValues(runId: string, rewrite: RewriteValue): Promise<number>;
}

/** A JSON column's text, rewritten; null when it is SQL NULL or the rewrite changes nothing. */
export async function rewrittenText(text: string | null, rewrite: RewriteValue): Promise<string | null> {
  if (text === null) return null;
  const next = JSON.stringify(await rewrite(JSON.parse(text) as unknown));
  return next === text ? null : next;
}

/** One JSON column of a step to change, compare and set: from `before` to `after`. */
export interface ValueChange {
  readonly key: string;
  readonly column: "input" | "output";
  readonly before: string;
  readonly after: string;
}

/**
 * What rewriting a run's steps and result changes, worked out before any transaction (the
 * rewrite writes the artifact store first: a crash leaves unreferenced blobs at worst).
 */
export async function plannedRewrite(
  steps: readonly { readonly key: string; readonly input: string | null; readonly output: string | null }[],
  result: string | null,
  rewrite: RewriteValue,
): Promise<{ changes: ValueChange[]; result: string | null }> {
  const changes: ValueChange[] = [];
  for (const step of steps) {
    for (const column of ["input", "output"] as const) {
      const before = step[column];
      const after = await rewrittenText(before, rewrite);
      if (after !== null && before !== null) changes.push({ key: step.key, column, before, after });
    }
  }
  return { changes, result: await rewrittenText(result, rewrite) };
}
