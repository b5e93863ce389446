import { CsAgentsError } from "../core/index.js";
import type { AuditEntry } from "./service-store.js";

/** An audit row as both adapters select it (PostgreSQL selects `details::text`). */
export interface AuditRow {
  readonly seq: number | string;
  readonly at: string;
  readonly tenant: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly details: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export function auditFromRow(row: AuditRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    tenant: row.tenant,
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function tooManyActiveRuns(max: number): CsAgentsError {
  return new CsAgentsError("TOO_MANY_ACTIVE_RUNS", `the tenant already has ${max} unfinished runs; wait for some to finish or cancel them`, { retryable: true });
}
