import type pg from "pg";
import { sql } from "./sql.js";
import { withTransaction } from "./transaction.js";

/**
 * Puts a parent run to wait for its children, or queues it when none is unfinished any more.
 * The parent's row is locked before the children are looked at, in a statement of its own: a
 * child finishing at the same time locks that row too (runs_child_finished), so either the child
 * commits first and the second statement, with a fresh snapshot, sees it finished, or the parent
 * commits `waiting_children` first and the child's trigger queues it. No wake-up is lost.
 */
export async function sleepWaitingChildren(pool: pg.Pool, fence: readonly [string, string, number], wakeAt: string | null): Promise<{ rowCount: number | null }> {
  return withTransaction(pool, async (client) => {
    const locked = await client.query({ ...sql.lockLeasedRun, values: [...fence] });
    if (locked.rowCount !== 1) return { rowCount: 0 };
    return client.query({ ...sql.sleepWaiting, values: [...fence, wakeAt] });
  });
}
