import { fairOrder } from "../fair-order.js";
import type { ClaimCandidate } from "../fair-order.js";
import { TENANTS_PER_CLAIM } from "../store-rules.js";
import type { SqliteStatements } from "./statements.js";

/** Picks a claim's runs in fair order; one per store, since it remembers where it stopped looking. */
export type FairCandidates = (limit: number, now: number, maxHeldPerTenant?: number) => ClaimCandidate[];

/**
 * The first `limit` runs of each tenant in view and the due sleepers, in fair order
 * (fair-order.ts). The view is up to TENANTS_PER_CLAIM waiting tenants after the last one the
 * previous claim looked at, wrapping around once, found by skipping through runs_waiting.
 */
export function createFairCandidates(sql: SqliteStatements): FairCandidates {
  let cursor: string | undefined;

  const tenantsInView = (): string[] => {
    const seen = new Set<string>();
    let tenant = cursor === undefined ? sql.firstWaitingTenant.get() : sql.nextWaitingTenant.get(cursor);
    for (; tenant !== undefined && seen.size < TENANTS_PER_CLAIM; tenant = sql.nextWaitingTenant.get(tenant)) seen.add(tenant);
    if (cursor === undefined) return [...seen];
    // Wrapped: from the first tenant until one already in view.
    for (tenant = sql.firstWaitingTenant.get(); tenant !== undefined && !seen.has(tenant) && seen.size < TENANTS_PER_CLAIM; tenant = sql.nextWaitingTenant.get(tenant)) {
      seen.add(tenant);
    }
    return [...seen];
  };

  return (limit, now, maxHeldPerTenant) => {
    const pool: ClaimCandidate[] = [];
    const view = tenantsInView();
    for (const tenant of view) pool.push(...sql.waitingOfTenant.all({ tenant, limit }));
    // The next claim looks on from where this view ended, whoever won: every waiting tenant comes into view in turn.
    cursor = view.at(-1) ?? cursor;
    pool.push(...sql.dueSleepers.all({ now, limit }));
    if (pool.length === 0) return pool;
    const leased = new Map(sql.leasedByTenant.all().map((row) => [row.tenant, row.n]));
    return fairOrder(pool, leased, limit, maxHeldPerTenant);
  };
}
