import type pg from "pg";
import { taskPriority } from "../../core/index.js";
import type { Task } from "../../core/index.js";
import { runFromRow } from "../rows.js";
import type { RunRow } from "../rows.js";
import { tooManyActiveRuns } from "../service-rows.js";
import { sealAuditEntry } from "../service-store.js";
import type { AuditDraft, AuditEntry, AuditedSubmitOptions, Submission } from "../service-store.js";
import { hasCode, mustExist, runExistsError, ACTIVE_RUNS } from "../store-rules.js";
import { JOURNAL_SCHEMA_VERSION } from "../store.js";
import type { Settled } from "../settled.js";
import { sql } from "./sql.js";

export const RUN_COLUMNS = "id, task::text AS task, status, plan::text AS plan, result::text AS result, error::text AS error, created_at, updated_at, request_hash, submitted_by";
export type ServiceRunRow = RunRow & { readonly request_hash: string | null; readonly submitted_by: string | null };

/** One submission waiting for its group (the task already parsed). */
export interface PendingSubmission {
  readonly task: Task;
  readonly options: AuditedSubmitOptions;
  readonly audit: AuditDraft;
}

const TENANT_LOCK = "hashtext('cs-agents tenant ' || current_schema() || ' ' || $1)";
const AUDIT_LOCK = "hashtext('cs-agents audit ' || current_schema())";

const tenantOf = (p: PendingSubmission): string => p.task.tenant ?? "";
const keyOf = (p: PendingSubmission): string | null => p.task.idempotencyKey ?? null;
const slotOf = (tenant: string, key: string): string => `${tenant}\n${key}`;
const existingSubmission = (row: ServiceRunRow): Submission => ({ run: runFromRow(row), created: false, requestHash: row.request_hash, submittedBy: row.submitted_by });

/**
 * Commits a group of submissions in one transaction on `client` (the caller opened it) and
 * returns one outcome per submission, in order. Every guarantee of a lone submission holds for
 * each: the tenants' submit locks (taken in one order, so two groups never deadlock) and then
 * the audit chain's lock are held to the commit, so the idempotency lookup, the active-run
 * count and the chain's head stay true; a key seen twice makes one run; a refused submission
 * writes nothing. About six round trips for the whole group instead of nine per submission.
 * If a statement fails unexpectedly, the group is undone to a savepoint and each submission
 * is tried on its own, in a savepoint of its own, so one bad submission fails alone.
 */
export async function submitGroup(client: pg.PoolClient, group: readonly PendingSubmission[], append: (client: pg.PoolClient, draft: AuditDraft) => Promise<AuditEntry>): Promise<Settled<Submission>[]> {
  await client.query("SAVEPOINT submit_group");
  try {
    const outcomes = await submitTogether(client, group);
    await client.query("RELEASE SAVEPOINT submit_group");
    return outcomes;
  } catch {
    // The shared statements failed (whichever submission caused it): undo them all, then one by one.
    await client.query("ROLLBACK TO SAVEPOINT submit_group");
    const outcomes: Settled<Submission>[] = [];
    for (const p of group) {
      await client.query("SAVEPOINT submit_one");
      try {
        outcomes.push({ ok: true, value: await submitOne(client, p, append) });
        await client.query("RELEASE SAVEPOINT submit_one");
      } catch (error) {
        await client.query("ROLLBACK TO SAVEPOINT submit_one");
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }
}

async function submitTogether(client: pg.PoolClient, group: readonly PendingSubmission[]): Promise<Settled<Submission>[]> {
  const tenants = [...new Set(group.map(tenantOf))];
  // Tenant locks in hash order, then the audit chain's: the same order as a lone submission.
  await client.query(
    `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext('cs-agents tenant ' || current_schema() || ' ' || t) AS h FROM unnest($1::text[]) AS t ORDER BY h) AS locks
     UNION ALL SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`,
    [tenants],
  );
  // Read after the locks (a later statement, so a fresh snapshot): keys already used, each
  // capped tenant's unfinished runs counted up to its largest cap, the chain's head.
  const keyed = group.filter((p) => keyOf(p) !== null);
  const caps = new Map<string, number>();
  for (const p of group) {
    const cap = p.options.maxActiveRuns;
    if (cap !== undefined) caps.set(tenantOf(p), Math.max(cap, caps.get(tenantOf(p)) ?? 0));
  }
  const { rows: [state] } = await client.query<{ used: string[] | null; counts: { tenant: string; n: number }[] | null; seq: string | null; hash: string | null }>(
    `SELECT (SELECT array_agg(r.tenant || chr(10) || r.idempotency_key) FROM runs r JOIN unnest($1::text[], $2::text[]) AS k(tenant, key) ON r.tenant = k.tenant AND r.idempotency_key = k.key) AS used,
            (SELECT json_agg(json_build_object('tenant', c.tenant, 'n', (SELECT count(*) FROM (SELECT 1 FROM runs WHERE ${ACTIVE_RUNS} AND tenant = c.tenant LIMIT c.cap) AS a)))
               FROM unnest($3::text[], $4::int[]) AS c(tenant, cap)) AS counts,
            head.seq, head.hash
     FROM (SELECT 1) AS one LEFT JOIN (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1) AS head ON true`,
    [keyed.map(tenantOf), keyed.map(keyOf), [...caps.keys()], [...caps.values()]],
  );
  const used = new Set(state?.used ?? []);
  const existing = new Map<string, ServiceRunRow>();
  if (used.size > 0) {
    const pairs = [...used].map((slot) => slot.split("\n"));
    const { rows } = await client.query<ServiceRunRow & { tenant: string; idempotency_key: string }>(
      `SELECT ${RUN_COLUMNS}, tenant, idempotency_key FROM runs WHERE (tenant, idempotency_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    for (const row of rows) existing.set(slotOf(row.tenant, row.idempotency_key), row);
  }
  const active = new Map<string, number>((state?.counts ?? []).map((c) => [c.tenant, Number(c.n)]));

  // Decide each submission in arrival order, as if they had come one at a time.
  type Plan = { kind: "done"; outcome: Settled<Submission> } | { kind: "insert" } | { kind: "same"; first: number };
  const plans: Plan[] = [];
  const firstOfSlot = new Map<string, number>();
  const runIds = new Set<string>();
  for (const [i, p] of group.entries()) {
    const tenant = tenantOf(p);
    const key = keyOf(p);
    const slot = key === null ? undefined : slotOf(tenant, key);
    const before = slot === undefined ? undefined : existing.get(slot);
    const first = slot === undefined ? undefined : firstOfSlot.get(slot);
    const cap = p.options.maxActiveRuns;
    const count = active.get(tenant) ?? 0;
    if (before) plans.push({ kind: "done", outcome: { ok: true, value: existingSubmission(before) } });
    else if (first !== undefined) plans.push({ kind: "same", first });
    else if (cap !== undefined && count >= cap) plans.push({ kind: "done", outcome: { ok: false, error: tooManyActiveRuns(cap) } });
    else if (runIds.has(p.options.runId)) plans.push({ kind: "done", outcome: { ok: false, error: runExistsError(p.options.runId, undefined) } });
    else {
      runIds.add(p.options.runId);
      active.set(tenant, count + 1);
      if (slot !== undefined) firstOfSlot.set(slot, i);
      plans.push({ kind: "insert" });
    }
  }

  const inserting = group.filter((_, i) => plans[i]?.kind === "insert");
  const inserted = new Map<string, ServiceRunRow>();
  if (inserting.length > 0) {
    // Any conflict left (a run id taken, a key used meanwhile by an unlocked engine submit) skips its row.
    const { rows } = await client.query<ServiceRunRow>(
      `INSERT INTO runs (id, tenant, idempotency_key, task, status, schema_version, request_hash, submitted_by, priority)
       SELECT r.id, r.tenant, r.key, r.task::json, 'queued', $5, r.request_hash, r.submitted_by, r.priority
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::text[], $7::text[], $8::int[]) WITH ORDINALITY AS r(id, tenant, key, task, request_hash, submitted_by, priority, ord)
       ORDER BY r.ord
       ON CONFLICT DO NOTHING RETURNING ${RUN_COLUMNS}`,
      [
        inserting.map((p) => p.options.runId),
        inserting.map(tenantOf),
        inserting.map(keyOf),
        inserting.map((p) => JSON.stringify(p.task)),
        JOURNAL_SCHEMA_VERSION,
        inserting.map((p) => p.options.requestHash),
        inserting.map((p) => p.options.submittedBy),
        inserting.map((p) => taskPriority(p.task)),
      ],
    );
    for (const row of rows) inserted.set(row.id, row);
  }

  // The audit entries of the runs created, chained in arrival order, in one statement.
  let head = state?.seq == null || state.hash == null ? undefined : { seq: Number(state.seq), hash: state.hash };
  const entries: AuditEntry[] = [];
  const outcomes: Settled<Submission>[] = [];
  for (const [i, p] of group.entries()) {
    const plan = plans[i];
    if (!plan || plan.kind === "done") {
      outcomes.push(plan ? plan.outcome : { ok: false, error: new Error("no plan for a submission") });
      continue;
    }
    if (plan.kind === "same") {
      const first = outcomes[plan.first];
      outcomes.push(first?.ok ? { ok: true, value: { ...first.value, created: false } } : (first ?? { ok: false, error: new Error("no first submission") }));
      continue;
    }
    const row = inserted.get(p.options.runId);
    if (!row) {
      outcomes.push(await conflicted(client, p));
      continue;
    }
    const entry = sealAuditEntry(head, { ...p.audit, target: p.options.runId });
    head = entry;
    entries.push(entry);
    outcomes.push({ ok: true, value: { run: runFromRow(row), created: true, requestHash: p.options.requestHash, submittedBy: p.options.submittedBy } });
  }
  if (entries.length > 0) {
    await client.query(
      `INSERT INTO audit_log (seq, at, tenant, actor, action, target, details, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::json[], $8::text[], $9::text[])`,
      [
        entries.map((e) => e.seq),
        entries.map((e) => e.at),
        entries.map((e) => e.tenant),
        entries.map((e) => e.actor),
        entries.map((e) => e.action),
        entries.map((e) => e.target),
        entries.map((e) => JSON.stringify(e.details)),
        entries.map((e) => e.prevHash),
        entries.map((e) => e.hash),
      ],
    );
  }
  return outcomes;
}

/** A row the insert skipped: its key was used meanwhile (that run is the answer), or its id is taken. */
async function conflicted(client: pg.PoolClient, p: PendingSubmission): Promise<Settled<Submission>> {
  const key = keyOf(p);
  const row = key === null ? undefined : (await client.query<ServiceRunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE tenant = $1 AND idempotency_key = $2`, [tenantOf(p), key])).rows[0];
  if (row && row.id !== p.options.runId) return { ok: true, value: existingSubmission(row) };
  return { ok: false, error: runExistsError(p.options.runId, undefined) };
}

/** One submission on its own (inside the caller's transaction): the path a failed group falls back to. */
async function submitOne(client: pg.PoolClient, p: PendingSubmission, append: (client: pg.PoolClient, draft: AuditDraft) => Promise<AuditEntry>): Promise<Submission> {
  const { task, options } = p;
  const tenant = tenantOf(p);
  const key = keyOf(p);
  await client.query(`SELECT pg_advisory_xact_lock(${TENANT_LOCK})`, [tenant]);
  const existing = key === null ? undefined : (await client.query<ServiceRunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE tenant = $1 AND idempotency_key = $2`, [tenant, key])).rows[0];
  if (existing) return existingSubmission(existing);
  if (options.maxActiveRuns !== undefined) {
    const { rows } = await client.query<{ n: number }>({ ...sql.activeRunsOfTenant, values: [tenant, options.maxActiveRuns] });
    if ((rows[0]?.n ?? 0) >= options.maxActiveRuns) throw tooManyActiveRuns(options.maxActiveRuns);
  }
  let inserted: ServiceRunRow | undefined;
  try {
    ({ rows: [inserted] } = await client.query<ServiceRunRow>(
      `INSERT INTO runs (id, tenant, idempotency_key, task, status, schema_version, request_hash, submitted_by, priority)
       VALUES ($1, $2, $3, $4::json, 'queued', $5, $6, $7, $8) RETURNING ${RUN_COLUMNS}`,
      [options.runId, tenant, key, JSON.stringify(task), JOURNAL_SCHEMA_VERSION, options.requestHash, options.submittedBy, taskPriority(task)],
    ));
  } catch (error) {
    if (hasCode(error, "23505")) throw runExistsError(options.runId, error);
    throw error;
  }
  await append(client, { ...p.audit, target: options.runId });
  return { run: runFromRow(mustExist(inserted, options.runId)), created: true, requestHash: options.requestHash, submittedBy: options.submittedBy };
}
