import pg from "pg";
import { CsAgentsError, parseTask, taskPriority } from "../../core/index.js";
import type { Run, RunStatus, Step, Task } from "../../core/index.js";
import { encodeStep, leaseFromRow, runFromRow, runHeaderFromRow, stepFromRow } from "../rows.js";
import type { ClaimedRow, RunHeaderRow, RunRow, StepRow } from "../rows.js";
import {
  checkStepBatch,
  checkStepRun,
  describeSteps,
  createdAtFromRunId,
  decisionEffect,
  hasCode,
  isPoisoned,
  journalUnavailableError,
  leaseLostError,
  listLimit,
  mustExist,
  notAmbiguousError,
  poisonError,
  runExistsError,
  runNotFoundError,
  stepNotFoundError,
  submitted,
  transitionChange,
} from "../store-rules.js";
import type { TransitionChange } from "../store-rules.js";
import type { RewriteValue } from "../inline-values.js";
import type { ScheduleStore } from "../schedule-store.js";
import { postgresScheduleOps } from "./postgres-schedules.js";
import { JOURNAL_SCHEMA_VERSION } from "../store.js";
import { postgresRewriteRunValues, postgresRunsWithInlineValues } from "./inline-values.js";
import { postgresDeliveries } from "./postgres-deliveries.js";
import type {
  AuditDraft,
  AuditEntry,
  AuditListFilter,
  AuditedSubmitOptions,
  RunEvent,
  RunEventCandidate,
  ServiceStore,
  Submission,
} from "../service-store.js";
import { postgresServiceOps } from "./postgres-service.js";
import { postgresForkOps } from "./postgres-fork.js";
import type { ForkStore } from "../fork-rules.js";
import type { AmbiguousDecision, ChildRunSummary, ClaimRequest, FinalOutcome, Lease, ListFilter, QueueStats, Retention, RunHeader, StoreStats, SubmitOptions, Submitted } from "../store.js";
import { unreachableError } from "./connect-error.js";
import { migratePostgres } from "./migrate.js";
import { sql } from "./sql.js";
import type { SqlStatement } from "./sql.js";
import { GroupCommit, type GroupEntry } from "./group-commit.js";
import { withTransaction } from "./transaction.js";
import { sleepWaitingChildren } from "./sleep-waiting-children.js";

export interface PostgresStoreOptions {
  /** Apply pending migrations on connect. Default true. */
  readonly migrate?: boolean;
  /** Keep the tables in this schema (created when missing); a plain lowercase identifier. */
  readonly schema?: string;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** Give up connecting after this long. Default 10,000. */
  readonly connectTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The distributed store: runs are claimed with `FOR UPDATE SKIP LOCKED`, and every lease time
 * comes from the database clock, so any number of workers on any machines can share it.
 */
export class PostgresStore implements ServiceStore {
  readonly #pool: pg.Pool;
  readonly #schema: string | undefined;
  readonly #stats = { reclaims: 0, staleWritesRejected: 0 };
  /** Where the previous claim's view of the waiting tenants ended (whoever won): the next claim looks on from there. */
  #tenantCursor: string | undefined;
  #serviceOps: ReturnType<typeof postgresServiceOps> | undefined;
  #deliveries: ReturnType<typeof postgresDeliveries> | undefined;
  readonly #schedules: ScheduleStore;
  readonly #forks: ForkStore;
  readonly #steps = new GroupCommit<StepWrite>((group) => this.#writeStepGroup(group));
  readonly #transitions = new GroupCommit<TransitionWrite>((group) => this.#writeTransitionGroup(group));
  #closed = false;

  private constructor(pool: pg.Pool, schema: string | undefined) {
    this.#pool = pool;
    this.#schedules = postgresScheduleOps(pool, (client, draft) => this.#service.appendWithin(client, draft));
    this.#forks = postgresForkOps(pool, (client, draft) => this.#service.appendWithin(client, draft));
    this.#schema = schema;
  }

  /**
   * Connects (checking the database answers) and, unless `migrate: false`, migrates.
   * @throws CsAgentsError (STORE_CONFIG) for a bad option, (STORE_UNREACHABLE) naming host:port and the cause.
   */
  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new CsAgentsError("STORE_CONFIG", `PostgreSQL schema must be 1-63 lowercase letters, digits or '_' (not starting with a digit), got "${schema}"`);
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle connection the server drops (restart, failover) must not crash the process: the
    // pool discards it, and the next query connects again or reports the failure to its caller.
    pool.on("error", () => undefined);
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      await pool.end();
      throw unreachableError(url, error);
    }
    const store = new PostgresStore(pool, schema);
    if (options.migrate ?? true) {
      try {
        await store.migrate();
      } catch (error) {
        await store.close();
        throw error;
      }
    }
    return store;
  }

  async migrate(): Promise<readonly number[]> { return migratePostgres(this.#pool, this.#schema); }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  stats(): StoreStats {
    return { ...this.#stats };
  }

  async submit(input: Task, options: SubmitOptions): Promise<Submitted> {
    const task = parseTask(input);
    const tenant = task.tenant ?? "";
    const key = task.idempotencyKey ?? null;
    const { claim } = options;
    let inserted: RunRow | undefined;
    try {
      const values = [options.runId, tenant, key, JSON.stringify(task), JOURNAL_SCHEMA_VERSION, claim?.workerId ?? null, claim?.leaseMs ?? null, taskPriority(task), options.parent?.runId ?? null, options.parent?.subtask ?? null];
      inserted = (await this.#query<RunRow>(sql.insertRun, values)).rows[0];
    } catch (error) {
      if (hasCode(error, "23505")) throw runExistsError(options.runId, error);
      throw error;
    }
    if (inserted) return submitted(runFromRow(inserted), task, claim);
    // A concurrent submit with the same key waited on the unique index and did nothing; this
    // second statement sees the run the first one committed.
    const { rows } = key === null ? await this.#query<RunRow>(sql.runById, [options.runId]) : await this.#query<RunRow>(sql.runByKey, [tenant, key]);
    return { run: runFromRow(mustExist(rows[0], options.runId)), created: false };
  }

  async children(runId: string): Promise<readonly ChildRunSummary[]> {
    const { rows } = await this.#query<{ id: string; status: string; parent_subtask: string; created_at: Date }>(sql.childrenOf, [runId]);
    return rows.map((row) => ({ id: row.id, status: row.status as RunStatus, subtask: row.parent_subtask, createdAt: row.created_at }));
  }

  async get(runId: string): Promise<Run | undefined> {
    const { rows } = await this.#query<RunRow>(sql.runById, [runId]);
    return rows[0] && runFromRow(rows[0]);
  }

  async list(filter: ListFilter = {}): Promise<readonly Run[]> {
    const { rows } = await this.#query<RunRow>(sql.listRuns, listValues(filter));
    return rows.map(runFromRow);
  }

  async listHeaders(filter: ListFilter = {}): Promise<readonly RunHeader[]> {
    const { rows } = await this.#query<RunHeaderRow>(sql.listHeaders, listValues(filter));
    return rows.map(runHeaderFromRow);
  }

  async claim(request: ClaimRequest): Promise<readonly Lease[]> {
    if (request.limit < 1) return [];
    const [{ workerId, leaseMs }, idle] = [request, (request.holding ?? 0) === 0];
    const { rows } =
      request.runId === undefined
        ? await this.#query<ClaimedRow>(sql.claim, [workerId, leaseMs, request.limit, idle, this.#tenantCursor ?? null, request.maxHeldPerTenant ?? 0])
        : await this.#query<ClaimedRow>(sql.claimRun, [workerId, leaseMs, request.runId, idle]);
    this.#tenantCursor = rows.find((row) => typeof row.view_end === "string")?.view_end ?? this.#tenantCursor;
    const leases: Lease[] = [];
    for (const row of rows) {
      if (isPoisoned(row, request.maxCrashes)) {
        // Fenced by the epoch just taken: if this process dies before it, the next claimer poisons the run instead.
        await this.#query(sql.poison, [row.id, workerId, row.lease_epoch, JSON.stringify(poisonError(row.crashes))]);
        continue;
      }
      if (row.reclaimed) this.#stats.reclaims += 1;
      leases.push(leaseFromRow(row, workerId));
    }
    return leases;
  }

  async heartbeat(lease: Lease, leaseMs: number): Promise<boolean> {
    return (await this.#query(sql.heartbeat, [...fence(lease), leaseMs])).rowCount === 1;
  }

  async sleep(lease: Lease, wakeAt: Date | null, status: "sleeping" | "waiting_input" | "waiting_children" = "sleeping"): Promise<void> {
    const at = wakeAt?.toISOString() ?? null;
    const { rowCount } = status === "waiting_children" ? await sleepWaitingChildren(this.#pool, fence(lease), at) : await this.#query(sql.sleep, [...fence(lease), at, status]);
    if (rowCount !== 1) {
      this.#stats.staleWritesRejected += 1;
      throw leaseLostError(lease.runId, lease.epoch);
    }
  }

  async release(lease: Lease): Promise<void> {
    await this.#query(sql.release, fence(lease));
  }

  async transition(lease: Lease, update: { readonly status: "planning" | "running" | "waiting_approval" } | FinalOutcome, steps: readonly Step[] = []): Promise<void> {
    const change = transitionChange(update);
    if (steps.length > 0) {
      checkStepBatch(lease, steps);
      return this.#commitSteps(lease, steps, change);
    }
    return new Promise((resolve, reject) => this.#transitions.add({ lease, change, keys: [lease.runId], resolve, reject }));
  }

  /** Several runs' transitions in one statement (group commit), or one alone; each settles on its own fence. */
  #writeTransitionGroup(group: readonly TransitionWrite[]): Promise<void> {
    return this.#groupOrEach(
      group,
      async () => {
        const rows = group.map(({ lease, change }) => transitionJson(lease, change));
        const { rows: fenced } = await this.#query<{ id: string }>(sql.transitionGroup, [`[${rows.join(",")}]`]);
        return new Set(fenced.map((row) => row.id));
      },
      async ({ lease, change: c }) => (await this.#query(sql.transition, [...fence(lease), c.status, c.plan, c.result, c.error, c.finished, c.keepLease])).rowCount === 1,
      (_entry, error) => error,
    );
  }

  /**
   * Writes a group in one statement and settles each entry by its run's fence. A group of one,
   * or a group the database refuses as a whole, is written one entry at a time, so a write the
   * database cannot take fails alone (with `failure`).
   */
  async #groupOrEach<E extends GroupEntry & { readonly lease: Lease }>(
    group: readonly E[],
    writeAll: () => Promise<ReadonlySet<string>>,
    writeOne: (entry: E) => Promise<boolean>,
    failure: (entry: E, error: unknown) => unknown,
  ): Promise<void> {
    if (group.length > 1) {
      try {
        this.#settle(group, await writeAll());
        return;
      } catch {
        // Tried one by one below.
      }
    }
    await Promise.all(
      group.map(async (entry) => {
        try {
          this.#settle([entry], new Set((await writeOne(entry)) ? [entry.lease.runId] : []));
        } catch (error) {
          entry.reject(failure(entry, error));
        }
      }),
    );
  }

  /** Resolves the writes whose run was written; the others lost their lease. */
  #settle(group: readonly (GroupEntry & { readonly lease: Lease })[], written: ReadonlySet<string>): void {
    for (const { lease, resolve, reject } of group) {
      if (written.has(lease.runId)) {
        resolve();
      } else {
        this.#stats.staleWritesRejected += 1;
        reject(leaseLostError(lease.runId, lease.epoch));
      }
    }
  }

  async record(lease: Lease, step: Step): Promise<void> {
    checkStepRun(lease, step);
    return this.#commitSteps(lease, [step]);
  }

  async recordAudited(lease: Lease, step: Step, audit: AuditDraft): Promise<void> {
    checkStepRun(lease, step);
    let written: boolean;
    try {
      written = await withTransaction(this.#pool, async (client) => {
        const { rowCount } = await client.query({ ...sql.record, values: recordValues(lease, step) });
        // Fenced out: nothing to audit, and the empty transaction commits.
        if (rowCount !== 1) return false;
        await this.#service.appendWithin(client, audit);
        return true;
      });
    } catch (cause) {
      throw journalUnavailableError(`record step ${step.key} of run ${lease.runId} with its audit entry`, cause);
    }
    if (!written) {
      this.#stats.staleWritesRejected += 1;
      throw leaseLostError(lease.runId, lease.epoch);
    }
  }

  async recordAll(lease: Lease, steps: readonly Step[]): Promise<void> {
    checkStepBatch(lease, steps);
    return this.#commitSteps(lease, steps);
  }

  /** Through the group commit: alone when nothing else is being written, else with the others. */
  #commitSteps(lease: Lease, steps: readonly Step[], change?: TransitionChange): Promise<void> {
    return new Promise((resolve, reject) => {
      const keys = steps.map((step) => `${lease.runId}\n${step.key}`);
      this.#steps.add(change ? { lease, steps, change, keys, resolve, reject } : { lease, steps, keys, resolve, reject });
    });
  }

  /** Writes one group of step writes and settles each: written, its lease lost, or the database failed. */
  #writeStepGroup(group: readonly StepWrite[]): Promise<void> {
    return this.#groupOrEach(
      group,
      () => this.#writeGroup(group),
      async (entry) => this.#writeSteps(entry.lease, entry.steps, entry.change),
      ({ lease, steps, change }, cause) =>
        journalUnavailableError(`record ${describeSteps(steps)} of run ${lease.runId}${change ? ` with its ${change.status} status` : ""}`, cause),
    );
  }

  /** One run's steps (and its transition) in one statement; false when its fence failed or the run is final already. */
  async #writeSteps(lease: Lease, steps: readonly Step[], change?: TransitionChange): Promise<boolean> {
    const step = steps[0];
    if (!change && steps.length === 1 && step) return (await this.#query(sql.record, recordValues(lease, step))).rowCount === 1;
    const batch = `[${steps.map((s) => stepJson(s, "")).join(",")}]`;
    const { rowCount } = change
      ? await this.#query(sql.recordWithTransition, [...fence(lease), batch, change.status, change.plan, change.result, change.error, change.finished, change.keepLease])
      : await this.#query(sql.recordAll, [...fence(lease), batch]);
    return rowCount === steps.length;
  }

  /** Several runs' steps (and transitions) in one statement: the runs whose fence held. */
  async #writeGroup(group: readonly StepWrite[]): Promise<Set<string>> {
    let n = 0;
    const rows: string[] = [];
    const transitions: string[] = [];
    for (const { lease, steps, change } of group) {
      const fenceJson = `"run_id":${JSON.stringify(lease.runId)},"owner":${JSON.stringify(lease.workerId)},"epoch":${lease.epoch}`;
      for (const step of steps) rows.push(stepJson(step, `${fenceJson},"n":${n++},`));
      if (change) transitions.push(transitionJson(lease, change));
    }
    const { rows: fenced } = await this.#query<{ id: string }>(sql.recordGroup, [`[${rows.join(",")}]`, `[${transitions.join(",")}]`]);
    return new Set(fenced.map((row) => row.id));
  }

  async load(runId: string): Promise<readonly Step[]> {
    try {
      return (await this.#query<StepRow>(sql.steps, [runId])).rows.map(stepFromRow);
    } catch (error) {
      throw journalUnavailableError(`load the journal of run ${runId}`, error);
    }
  }

  async decide(runId: string, stepKey: string, decision: AmbiguousDecision): Promise<void> {
    await withTransaction(this.#pool, async (client) => {
      const query = <R extends pg.QueryResultRow>(statement: SqlStatement, values: unknown[]) => client.query<R>({ ...statement, values });
      // Lock the run first: a concurrent decision on the same run waits instead of requeueing twice.
      if ((await query(sql.lockRun, [runId])).rowCount === 0) throw runNotFoundError(runId);
      const step = (await query<{ status: string }>(sql.stepStatus, [runId, stepKey])).rows[0];
      if (!step) {
        const { rows } = await query<{ key: string }>(sql.ambiguousKeys, [runId]);
        throw stepNotFoundError(runId, stepKey, rows.map((r) => r.key));
      }
      if (step.status !== "ambiguous") throw notAmbiguousError(runId, stepKey, step.status);
      const effect = decisionEffect(decision);
      if (effect.kind === "delete") await query(sql.deleteStep, [runId, stepKey]);
      else await query(sql.settleStep, [runId, stepKey, effect.status, effect.output, effect.error]);
      await query(sql.requeue, [runId]);
    });
  }

  async prune(retention: Retention): Promise<number> {
    const maxAgeMs = retention.maxAgeMs ?? null;
    const keep = retention.maxFinishedRuns === undefined ? null : Math.max(0, Math.floor(retention.maxFinishedRuns));
    if (maxAgeMs === null && keep === null) return 0;
    return (await this.#query(sql.prune, [maxAgeMs, keep])).rowCount ?? 0;
  }

  async cancelledAmong(runIds: readonly string[]): Promise<readonly string[]> {
    if (runIds.length === 0) return [];
    const { rows } = await this.#query<{ id: string }>(sql.cancelledAmong, [runIds]);
    return rows.map((r) => r.id);
  }

  async queueStats(): Promise<QueueStats> {
    const { rows } = await this.#query<{ depth: number; oldest: Date | null }>(sql.queueStats, []);
    return { depth: rows[0]?.depth ?? 0, oldestCreatedAt: rows[0]?.oldest ?? undefined };
  }

  async storageBytes(runId: string): Promise<number> {
    const { rows } = await this.#query<{ bytes: number | null }>(sql.storageBytes, [runId]);
    return rows[0]?.bytes ?? 0;
  }

  // The service ports (schema version 2): the audit chain, audited changes, run events.
  appendAudit(draft: AuditDraft): Promise<AuditEntry> {
    return this.#service.appendAudit(draft);
  }

  listAudit(filter?: AuditListFilter): Promise<readonly AuditEntry[]> {
    return this.#service.listAudit(filter);
  }

  auditHead(): Promise<AuditEntry | undefined> {
    return this.#service.auditHead();
  }

  submitAudited(task: Task, options: AuditedSubmitOptions, audit: AuditDraft): Promise<Submission> {
    return this.#service.submitAudited(task, options, audit);
  }

  cancel(runId: string, audit: AuditDraft): Promise<{ readonly run: Run; readonly cancelled: boolean } | undefined> {
    return this.#service.cancel(runId, audit);
  }

  decideAudited(runId: string, stepKey: string, decision: AmbiguousDecision, audit: AuditDraft): Promise<void> {
    return this.#service.decideAudited(runId, stepKey, decision, audit);
  }

  answerAudited(runId: string, stepKey: string, answer: unknown, audit: AuditDraft): Promise<void> {
    return this.#service.answerAudited(runId, stepKey, answer, audit);
  }

  submission(runId: string): Promise<{ readonly requestHash: string | null; readonly submittedBy: string | null } | undefined> {
    return this.#service.submission(runId);
  }

  syncRunEvents(runId: string, candidates: readonly RunEventCandidate[]): Promise<void> {
    return this.#service.syncRunEvents(runId, candidates);
  }

  listRunEvents(runId: string, afterId: number, limit?: number): Promise<readonly RunEvent[]> {
    return this.#service.listRunEvents(runId, afterId, limit);
  }

  runsWithInlineValues(limit: number): Promise<readonly string[]> { return postgresRunsWithInlineValues(this.#pool, limit); }

  rewriteRunValues(runId: string, rewrite: RewriteValue): Promise<number> {
    return postgresRewriteRunValues(this.#pool, runId, rewrite);
  }

  readonly createSchedule: ScheduleStore["createSchedule"] = (schedule, audit) => this.#schedules.createSchedule(schedule, audit);
  readonly getSchedule: ScheduleStore["getSchedule"] = (id) => this.#schedules.getSchedule(id);
  readonly listSchedules: ScheduleStore["listSchedules"] = (filter) => this.#schedules.listSchedules(filter);
  readonly setSchedulePaused: ScheduleStore["setSchedulePaused"] = (id, change, audit) => this.#schedules.setSchedulePaused(id, change, audit);
  readonly deleteSchedule: ScheduleStore["deleteSchedule"] = (id, audit) => this.#schedules.deleteSchedule(id, audit);
  readonly fireDueSchedules: ScheduleStore["fireDueSchedules"] = (request) => this.#schedules.fireDueSchedules(request);
  readonly forkAudited: ForkStore["forkAudited"] = (request, options, audit) => this.#forks.forkAudited(request, options, audit);
  readonly forkLinks: ForkStore["forkLinks"] = (runId) => this.#forks.forkLinks(runId);

  pendingMigrations(): Promise<readonly number[]> {
    return this.#service.pendingMigrations();
  }

  webhookDeliveries(): ReturnType<typeof postgresDeliveries> { return (this.#deliveries ??= postgresDeliveries(this.#pool)); }

  get #service(): ReturnType<typeof postgresServiceOps> {
    return (this.#serviceOps ??= postgresServiceOps(this.#pool));
  }

  #query<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: SqlStatement, values: unknown[]): Promise<pg.QueryResult<R>> {
    return this.#pool.query<R>({ ...statement, values });
  }
}

function fence(lease: Lease): [string, string, number] {
  return [lease.runId, lease.workerId, lease.epoch];
}

/** The parameters of `sql.record` for one step. */
function recordValues(lease: Lease, step: Step): unknown[] {
  const { input, output, error, plan } = encodeStep(step);
  return [...fence(lease), step.key, plan, step.kind, step.status, input, output, error, step.attempts ?? null, step.startedAt, step.finishedAt ?? null];
}

/** A transition waiting in the group commit. */
interface TransitionWrite extends GroupEntry {
  readonly lease: Lease;
  readonly change: TransitionChange;
}

/** A record or recordAll call (or a transition with steps) waiting in the group commit. */
interface StepWrite extends GroupEntry {
  readonly lease: Lease;
  readonly steps: readonly Step[];
  /** Written with the steps, all or none. */
  readonly change?: TransitionChange;
}

/** A run's transition as a JSON object for json_to_recordset; the encoded columns are JSON text already. */
function transitionJson(lease: Lease, change: TransitionChange): string {
  const json = (text: string | null) => text ?? "null";
  const scalars = JSON.stringify({ run_id: lease.runId, owner: lease.workerId, epoch: lease.epoch, status: change.status, finished: change.finished, keep_lease: change.keepLease });
  return `${scalars.slice(0, -1)},"plan":${json(change.plan)},"result":${json(change.result)},"error":${json(change.error)}}`;
}

/**
 * A step as a JSON object for json_to_recordset, `prefix` (fence fields, ending in a comma)
 * first. The encoded columns are JSON text already: spliced in, not parsed and stringified again.
 */
function stepJson(step: Step, prefix: string): string {
  const { input, output, error, plan } = encodeStep(step);
  const text = (json: string | null) => json ?? "null";
  const scalars = JSON.stringify({
    key: step.key,
    kind: step.kind,
    status: step.status,
    attempts: step.attempts ?? null,
    started_at: step.startedAt.toISOString(),
    finished_at: step.finishedAt?.toISOString() ?? null,
  });
  return `{${prefix}${scalars.slice(1, -1)},"input":${text(input)},"output":${text(output)},"error":${text(error)},"plan":${text(plan)}}`;
}

function listValues(filter: ListFilter): unknown[] {
  const before = filter.before ?? null;
  const beforeAt = before === null ? null : createdAtFromRunId(before);
  return [filter.status ?? null, filter.tenant ?? null, before, beforeAt === null ? null : new Date(beforeAt), listLimit(filter.limit)];
}
