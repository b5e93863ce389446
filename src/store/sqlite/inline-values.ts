import type Database from "better-sqlite3";
import { plannedRewrite, type RewriteValue } from "../inline-values.js";

export function sqliteRunsWithInlineValues(db: Database.Database, limit: number): string[] {
  return db.prepare<[number], string>("SELECT run_id FROM inline_runs ORDER BY run_id LIMIT ?").pluck().all(limit);
}

export async function sqliteRewriteRunValues(db: Database.Database, runId: string, rewrite: RewriteValue): Promise<number> {
  const steps = db.prepare<[string], { key: string; input: string | null; output: string | null }>("SELECT key, input, output FROM steps WHERE run_id = ? AND key <> 'plan'").all(runId);
  const result = db.prepare<[string], string | null>("SELECT result FROM runs WHERE id = ?").pluck().get(runId) ?? null;
  const { changes, result: newResult } = await plannedRewrite(steps, result, rewrite);
  const apply = db.transaction(() => {
    let changed = 0;
    for (const change of changes) {
      changed += db.prepare(`UPDATE steps SET ${change.column} = ? WHERE run_id = ? AND key = ? AND ${change.column} = ?`).run(change.after, runId, change.key, change.before).changes;
    }
    if (newResult !== null) changed += db.prepare("UPDATE runs SET result = ? WHERE id = ? AND result = ?").run(newResult, runId, result).changes;
    db.prepare("DELETE FROM inline_runs WHERE run_id = ?").run(runId);
    return changed;
  });
  return apply.immediate();
}
