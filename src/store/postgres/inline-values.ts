import type pg from "pg";
import { plannedRewrite, type RewriteValue } from "../inline-values.js";
import { withTransaction } from "./transaction.js";

export async function postgresRunsWithInlineValues(pool: pg.Pool, limit: number): Promise<string[]> {
  const { rows } = await pool.query<{ run_id: string }>("SELECT run_id FROM inline_runs ORDER BY run_id LIMIT $1", [limit]);
  return rows.map((r) => r.run_id);
}

export async function postgresRewriteRunValues(pool: pg.Pool, runId: string, rewrite: RewriteValue): Promise<number> {
  const { rows: steps } = await pool.query<{ key: string; input: string | null; output: string | null }>("SELECT key, input::text AS input, output::text AS output FROM steps WHERE run_id = $1 AND key <> 'plan'", [runId]);
  const { rows: runs } = await pool.query<{ result: string | null }>("SELECT result::text AS result FROM runs WHERE id = $1", [runId]);
  const result = runs[0]?.result ?? null;
  const { changes, result: newResult } = await plannedRewrite(steps, result, rewrite);
  return withTransaction(pool, async (client) => {
    let changed = 0;
    for (const change of changes) {
      // json has no equality operator: compared as the text it was read as.
      const { rowCount } = await client.query(`UPDATE steps SET ${change.column} = $1::json WHERE run_id = $2 AND key = $3 AND ${change.column}::text = $4`, [change.after, runId, change.key, change.before]);
      changed += rowCount ?? 0;
    }
    if (newResult !== null) changed += (await client.query("UPDATE runs SET result = $1::json WHERE id = $2 AND result::text = $3", [newResult, runId, result])).rowCount ?? 0;
    await client.query("DELETE FROM inline_runs WHERE run_id = $1", [runId]);
    return changed;
  });
}
