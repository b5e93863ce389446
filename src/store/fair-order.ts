// The claim order both stores share (PostgreSQL states it in SQL, in postgres/sql.ts): fairness
// across tenants first, then priority, then age.
//
// A waiting run's turn is the number of runs its tenant would hold once it is claimed: the
// runs the tenant's workers hold now, plus its place in the tenant's own line (higher priority
// first, then the one due first). Claims take the smallest turn first, so a tenant holding
// nothing goes before one holding many, whatever their queues' lengths; equal turns go by
// priority (higher first), then by due time (a queued run is due when it was submitted, a
// sleeping one when its timer is), then by id.

/** A run a claim may take: waiting for a worker, or asleep with its timer due. */
export interface ClaimCandidate {
  readonly id: string;
  readonly tenant: string;
  readonly priority: number;
  /** Epoch milliseconds: when it was submitted (queued) or when its timer is due (sleeping). */
  readonly due: number;
}

/**
 * The candidates in claim order, at most `limit`. `leased` counts the runs each tenant's
 * workers hold now (a tenant not in it holds none). With `maxHeld` above 0, a run whose turn
 * would make its tenant hold more than that is left waiting.
 */
export function fairOrder<C extends ClaimCandidate>(candidates: readonly C[], leased: ReadonlyMap<string, number>, limit: number, maxHeld = 0): C[] {
  const lines = new Map<string, C[]>();
  for (const c of candidates) {
    const line = lines.get(c.tenant);
    if (line) line.push(c);
    else lines.set(c.tenant, [c]);
  }
  const turns: { candidate: C; turn: number }[] = [];
  for (const [tenant, line] of lines) {
    const held = leased.get(tenant) ?? 0;
    line.sort(byPriorityThenDue).forEach((candidate, place) => turns.push({ candidate, turn: held + place + 1 }));
  }
  const allowed = maxHeld > 0 ? turns.filter((t) => t.turn <= maxHeld) : turns;
  allowed.sort((a, b) => a.turn - b.turn || byPriorityThenDue(a.candidate, b.candidate));
  return allowed.slice(0, limit).map((t) => t.candidate);
}

function byPriorityThenDue(a: ClaimCandidate, b: ClaimCandidate): number {
  return b.priority - a.priority || a.due - b.due || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
