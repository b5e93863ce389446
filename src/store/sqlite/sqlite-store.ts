import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { CsAgentsError, parseTask, taskPriority } from "../../core/index.js";
import type { Run, RunStatus, Step, Task } from "../../core/index.js";
import { encodeStep, leaseFromRow, runFromRow, runHeaderFromRow, stepFromRow } from "../rows.js";
import type { ClaimedRow, EncodedStep, RunRow } from "../rows.js";
import {
  checkStepBatch,
  describeSteps,
  createdAtFromRunId,
  hasCode,
  decisionEffect,
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
import type { RewriteValue } from "../inline-values.js";
import type { ScheduleStore } from "../schedule-store.js";
import { sqliteScheduleOps } from "./sqlite-schedules.js";
import { JOURNAL_SCHEMA_VERSION } from "../store.js";
import { sqliteRewriteRunValues, sqliteRunsWithInlineValues } from "./inline-values.js";
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
import { sqliteServiceOps } from "./sqlite-service.js";
import { sqliteForkOps } from "./sqlite-fork.js";
import type { ForkStore } from "../fork-rules.js";
import { sqliteDeliveries } from "./sqlite-deliveries.js";
import type { AmbiguousDecision, ChildRunSummary, ClaimRequest, FinalOutcome, Lease, ListFilter, QueueStats, Retention, RunHeader, StoreStats, SubmitOptions, Submitted } from "../store.js";
import { BackgroundCheckpoint } from "./background-checkpoint.js";
import type { BackgroundCheckpointStats } from "./background-checkpoint.js";
import { migrateSqlite } from "./migrate.js";
import { createFairCandidates } from "./fair-candidates.js";
import type { FairCandidates } from "./fair-candidates.js";
import { prepareStatements } from "./statements.js";
import type { SqliteStatements, TransitionParams } from "./statements.js";

export interface SqliteStoreOptions {
  /** Apply pending migrations on open. Default true. */
  readonly migrate?: boolean;
  /** NORMAL (default) survives a killed process; FULL also survives power loss, at an fsync per commit. */
  readonly synchronous?: "NORMAL" | "FULL";
  /**
   * WAL pages after which a commit copies the WAL back into the database file (SQLite's
   * `wal_autocheckpoint`). Default 10,000 (about 40 MB of WAL), not SQLite's 1,000: pages
   * rewritten between two checkpoints are copied once, so a checkpoint costs 3.4 µs per page
   * instead of 5.5, at the price of a longer pause and more WAL at risk (docs/durability.md).
   */
  readonly checkpointPages?: number;
  /**
   * Copy the WAL back from a thread of its own once the store has written a while, so commits
   * do not wait on the checkpoint's fsyncs (docs/durability.md). Default true; files only.
   */
  readonly checkpointInBackground?: boolean;
}

/** Writes before the checkpoint thread starts: a short-lived store never pays for one. */
const BACKGROUND_CHECKPOINT_AFTER_WRITES = 1_000;

type CheckpointTarget = { readonly path: string; readonly synchronous: "NORMAL" | "FULL" };

/** See `SqliteStoreOptions.checkpointPages`. */
const DEFAULT_CHECKPOINT_PAGES = 10_000;

/**
 * The embedded store: one SQLite file in WAL mode. Several processes may share the file (the
 * write lock serializes claims); times come from this machine's clock.
 */
export class SqliteStore implements ServiceStore {
  readonly #db: Database.Database;
  readonly #stats = { reclaims: 0, staleWritesRejected: 0 };
  readonly #checkpointTarget: CheckpointTarget | undefined;
  #checkpointer: BackgroundCheckpoint | undefined;
  #writes = 0;
  #serviceOps: ReturnType<typeof sqliteServiceOps> | undefined;
  #deliveries: ReturnType<typeof sqliteDeliveries> | undefined;
  readonly #schedules: ScheduleStore;
  readonly #forks: ForkStore;
  #statements: SqliteStatements | undefined;
  #fair: FairCandidates | undefined;
  #recordTransaction: Database.Transaction<(lease: Lease, steps: readonly Step[], encoded: readonly EncodedStep[]) => boolean> | undefined;
  #finishTransaction: Database.Transaction<(lease: Lease, steps: readonly Step[], encoded: readonly EncodedStep[], params: TransitionParams) => boolean> | undefined;

  private constructor(db: Database.Database, checkpointTarget: CheckpointTarget | undefined) {
    this.#db = db;
    this.#schedules = sqliteScheduleOps(db, (draft) => this.#service.appendWithin(draft));
    this.#forks = sqliteForkOps(db, (draft) => this.#service.appendWithin(draft));
    this.#checkpointTarget = checkpointTarget;
  }

  /**
   * Opens (creating it and its directory if missing) the database at `path`, or `":memory:"`.
   * @throws CsAgentsError (STORE_CONFIG) for a bad option, (STORE_UNREACHABLE) when the file cannot be opened.
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const synchronous = options.synchronous ?? "NORMAL";
    if (synchronous !== "NORMAL" && synchronous !== "FULL") {
      throw new CsAgentsError("STORE_CONFIG", `SQLite synchronous must be "NORMAL" or "FULL", got "${String(synchronous)}"`);
    }
    const checkpointPages = options.checkpointPages ?? DEFAULT_CHECKPOINT_PAGES;
    if (!Number.isInteger(checkpointPages) || checkpointPages < 1 || checkpointPages > MAX_CHECKPOINT_PAGES) {
      throw new CsAgentsError("STORE_CONFIG", `SQLite checkpointPages must be a whole number from 1 to ${MAX_CHECKPOINT_PAGES}, got ${String(checkpointPages)}`);
    }
    const background = (options.checkpointInBackground ?? true) && path !== ":memory:" && path !== "";
    const store = new SqliteStore(openDatabase(path, synchronous, checkpointPages), background ? { path: resolve(path), synchronous } : undefined);
    if (options.migrate ?? true) {
      try {
        migrateSqlite(store.#db);
      } catch (error) {
        store.#db.close();
        throw error;
      }
    }
    return store;
  }

  async migrate(): Promise<readonly number[]> {
    return migrateSqlite(this.#db);
  }

  async close(): Promise<void> {
    // The thread's connection closes first: the last connection to close removes the WAL.
    if (this.#db.open) this.#serviceOps?.flushSubmissions();
    await this.#checkpointer?.stop();
    if (this.#db.open) this.#db.close();
  }

  stats(): StoreStats {
    const thread = this.#checkpointer?.stats();
    return { ...this.#stats, ...(thread === undefined ? {} : { checkpointThreadFailed: thread.failure !== undefined }) };
  }

  /** The checkpoint thread's counters; undefined until it has started (see `checkpointInBackground`). */
  backgroundCheckpointStats(): BackgroundCheckpointStats | undefined {
    return this.#checkpointer?.stats();
  }

  async submit(input: Task, options: SubmitOptions): Promise<Submitted> {
    const task = parseTask(input);
    const sql = this.#sql;
    const tenant = task.tenant ?? "";
    const key = task.idempotencyKey ?? null;
    const { claim } = options;
    const now = Date.now();
    let inserted: RunRow | undefined;
    try {
      // all(), not get(): a statement reset before it reports SQLITE_DONE commits without
      // running SQLite's WAL hook, so a process that only submits would never checkpoint.
      [inserted] = sql.insertRun.all({
        id: options.runId,
        tenant,
        key,
        task: JSON.stringify(task),
        priority: taskPriority(task),
        schemaVersion: JOURNAL_SCHEMA_VERSION,
        now,
        owner: claim?.workerId ?? null,
        expiresAt: claim ? now + claim.leaseMs : null,
        parentId: options.parent?.runId ?? null,
        parentSubtask: options.parent?.subtask ?? null,
      });
    } catch (error) {
      if (hasCode(error, "SQLITE_CONSTRAINT_PRIMARYKEY")) throw runExistsError(options.runId, error);
      throw error;
    }
    this.#wrote();
    if (inserted) return submitted(runFromRow(inserted), task, claim);
    const row = key === null ? sql.runById.get(options.runId) : sql.runByKey.get({ tenant, key });
    return { run: runFromRow(mustExist(row, options.runId)), created: false };
  }

  async children(runId: string): Promise<readonly ChildRunSummary[]> {
    return this.#sql.childrenOf.all(runId).map((row) => ({ id: row.id, status: row.status as RunStatus, subtask: row.parent_subtask, createdAt: new Date(row.created_at) }));
  }

  async get(runId: string): Promise<Run | undefined> {
    const row = this.#sql.runById.get(runId);
    return row && runFromRow(row);
  }

  async list(filter: ListFilter = {}): Promise<readonly Run[]> {
    const params = listParams(filter);
    const rows = filter.tenant === undefined ? this.#sql.listRuns.all(params) : this.#sql.listRunsOfTenant.all({ ...params, tenant: filter.tenant });
    return rows.map(runFromRow);
  }

  async listHeaders(filter: ListFilter = {}): Promise<readonly RunHeader[]> {
    const params = listParams(filter);
    const rows = filter.tenant === undefined ? this.#sql.listHeaders.all(params) : this.#sql.listHeadersOfTenant.all({ ...params, tenant: filter.tenant });
    return rows.map(runHeaderFromRow);
  }

  async claim(request: ClaimRequest): Promise<readonly Lease[]> {
    if (request.limit < 1) return [];
    const sql = this.#sql;
    const now = Date.now();
    const claimed = this.#db
      .transaction((): ClaimedRow[] => {
        const { candidates, alone } = this.#claimCandidates(request, now);
        const rows = candidates.map((c) =>
          mustExist(sql.lease.get({ id: c.id, workerId: request.workerId, expiresAt: now + request.leaseMs, reclaimed: c.lease_owner === null ? 0 : 1, alone: Number(alone), now }), c.id),
        );
        for (const row of rows) {
          if (isPoisoned(row, request.maxCrashes)) sql.poison.run({ id: row.id, error: JSON.stringify(poisonError(row.crashes)), now });
        }
        return rows;
      })
      .immediate();
    const leased = claimed.filter((row) => !isPoisoned(row, request.maxCrashes));
    this.#stats.reclaims += leased.filter((row) => row.reclaimed).length;
    return leased.map((row) => leaseFromRow(row, request.workerId));
  }

  /** A waiting quarantined or orphaned run goes alone to a worker holding none, and holds back everyone else's claims. */
  #claimCandidates(request: ClaimRequest, now: number): { candidates: readonly { id: string; lease_owner: string | null }[]; alone: boolean } {
    const sql = this.#sql;
    const idle = (request.holding ?? 0) === 0;
    if (request.runId !== undefined) return { candidates: sql.claimCandidate.all(request.runId), alone: idle && request.limit === 1 };
    // An orphan (a lease expired under it) is a suspect like a quarantined run, before its reclaim quarantines it.
    const suspect = sql.quarantinedCandidate.get({ now }) ?? sql.orphanCandidate.get({ now });
    if (suspect) return { candidates: idle ? [suspect] : [], alone: true };
    // Made once, with the statements it reads: it keeps where the last claim stopped looking at tenants.
    const candidates = (this.#fair ??= createFairCandidates(sql))(request.limit, now, request.maxHeldPerTenant).map((c) => ({ id: c.id, lease_owner: null }));
    return { candidates, alone: idle && request.limit === 1 };
  }

  async heartbeat(lease: Lease, leaseMs: number): Promise<boolean> {
    return this.#sql.heartbeat.run({ ...fence(lease), expiresAt: Date.now() + leaseMs }).changes === 1;
  }

  async sleep(lease: Lease, wakeAt: Date | null, status: "sleeping" | "waiting_input" | "waiting_children" = "sleeping"): Promise<void> {
    if (this.#sql.sleep.run({ ...fence(lease), status, wakeAt: wakeAt?.getTime() ?? null, now: Date.now() }).changes !== 1) {
      this.#stats.staleWritesRejected += 1;
      throw leaseLostError(lease.runId, lease.epoch);
    }
    this.#wrote();
  }

  async release(lease: Lease): Promise<void> {
    this.#sql.release.run(fence(lease));
  }

  async transition(lease: Lease, update: { readonly status: "planning" | "running" | "waiting_approval" } | FinalOutcome, steps: readonly Step[] = []): Promise<void> {
    const change = transitionChange(update);
    const { status, plan, result, error } = change;
    const params = { ...fence(lease), status, plan, result, error, finished: Number(change.finished), keepLease: Number(change.keepLease), now: Date.now() };
    let written: boolean;
    if (steps.length === 0) {
      written = this.#sql.transition.run(params).changes === 1;
    } else {
      checkStepBatch(lease, steps);
      const encoded = steps.map(encodeStep);
      try {
        written = this.#finishTx.immediate(lease, steps, encoded, params);
      } catch (cause) {
        if (!(cause instanceof FencedOut)) throw journalUnavailableError(`record ${describeSteps(steps)} of run ${lease.runId} with its ${status} status`, cause);
        written = false;
      }
    }
    if (!written) {
      this.#stats.staleWritesRejected += 1;
      throw leaseLostError(lease.runId, lease.epoch);
    }
  }

  async record(lease: Lease, step: Step): Promise<void> { return this.recordAll(lease, [step]); }

  async recordAll(lease: Lease, steps: readonly Step[]): Promise<void> {
    checkStepBatch(lease, steps);
    const encoded = steps.map(encodeStep);
    let written: boolean;
    try {
      written = this.#recordTx.immediate(lease, steps, encoded);
    } catch (error) {
      throw journalUnavailableError(`record ${describeSteps(steps)} of run ${lease.runId}`, error);
    }
    if (!written) {
      this.#stats.staleWritesRejected += 1;
      throw leaseLostError(lease.runId, lease.epoch);
    }
  }

  async recordAudited(lease: Lease, step: Step, audit: AuditDraft): Promise<void> {
    checkStepBatch(lease, [step]);
    const encoded = [encodeStep(step)];
    let written: boolean;
    try {
      // The record transaction nested in this one (a savepoint): the entry is appended only
      // when the fence held, and both commit together.
      written = this.#db
        .transaction(() => {
          const held = this.#recordTx(lease, [step], encoded);
          if (held) this.#service.appendWithin(audit);
          return held;
        })
        .immediate();
    } catch (error) {
      throw journalUnavailableError(`record step ${step.key} of run ${lease.runId} with its audit entry`, error);
    }
    if (!written) {
      this.#stats.staleWritesRejected += 1;
      throw leaseLostError(lease.runId, lease.epoch);
    }
  }

  async load(runId: string): Promise<readonly Step[]> {
    try {
      return this.#sql.steps.all(runId).map(stepFromRow);
    } catch (error) {
      throw journalUnavailableError(`load the journal of run ${runId}`, error);
    }
  }

  async decide(runId: string, stepKey: string, decision: AmbiguousDecision): Promise<void> {
    const sql = this.#sql;
    const where = { runId, key: stepKey };
    this.#db
      .transaction(() => {
        const step = sql.stepStatus.get(where);
        if (!step) {
          if (!sql.runById.get(runId)) throw runNotFoundError(runId);
          throw stepNotFoundError(runId, stepKey, sql.ambiguousKeys.all(runId));
        }
        if (step.status !== "ambiguous") throw notAmbiguousError(runId, stepKey, step.status);
        const effect = decisionEffect(decision);
        const now = Date.now();
        if (effect.kind === "delete") sql.deleteStep.run(where);
        else sql.settleStep.run({ ...where, status: effect.status, output: effect.output, error: effect.error, now });
        sql.requeue.run({ runId, now });
      })
      .immediate();
  }

  async prune(retention: Retention): Promise<number> {
    const finishedBefore = retention.maxAgeMs === undefined ? null : Date.now() - retention.maxAgeMs;
    const keep = retention.maxFinishedRuns === undefined ? null : Math.max(0, Math.floor(retention.maxFinishedRuns));
    if (finishedBefore === null && keep === null) return 0;
    return this.#sql.prune.run({ finishedBefore, keep }).changes;
  }

  async storageBytes(runId: string): Promise<number> {
    return this.#sql.storageBytes.get(runId, runId) ?? 0;
  }

  async cancelledAmong(runIds: readonly string[]): Promise<readonly string[]> {
    return runIds.length === 0 ? [] : this.#sql.cancelledAmong.all(JSON.stringify(runIds));
  }

  async queueStats(): Promise<QueueStats> {
    const row = this.#sql.queueStats.get();
    return { depth: row?.depth ?? 0, oldestCreatedAt: row?.oldest == null ? undefined : new Date(row.oldest) };
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

  async runsWithInlineValues(limit: number): Promise<readonly string[]> {
    return sqliteRunsWithInlineValues(this.#db, limit);
  }

  rewriteRunValues(runId: string, rewrite: RewriteValue): Promise<number> {
    return sqliteRewriteRunValues(this.#db, runId, rewrite);
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

  webhookDeliveries(): ReturnType<typeof sqliteDeliveries> { return (this.#deliveries ??= sqliteDeliveries(this.#db)); }

  get #service(): ReturnType<typeof sqliteServiceOps> {
    return (this.#serviceOps ??= sqliteServiceOps(this.#db));
  }

  #wrote(): void {
    if (this.#checkpointer !== undefined || this.#checkpointTarget === undefined) return;
    if (++this.#writes < BACKGROUND_CHECKPOINT_AFTER_WRITES) return;
    const { path, synchronous } = this.#checkpointTarget;
    this.#checkpointer = new BackgroundCheckpoint(path, synchronous);
  }

  /** Prepared on first use, not at open: `open({ migrate: false })` followed by `migrate()` must work. */
  get #sql(): SqliteStatements {
    if (this.#statements) return this.#statements;
    try {
      return (this.#statements = prepareStatements(this.#db));
    } catch (error) {
      if (error instanceof Error && /no such table/.test(error.message)) {
        throw new CsAgentsError("STORE_CONFIG", "the SQLite database has no cs-agents tables yet: run `cs-agents migrate` or set CS_AGENTS_MIGRATE=true", { cause: error });
      }
      throw error;
    }
  }

  /**
   * The steps, then the transition; a transition the fence refuses (a final run) rolls the steps
   * back. Built once, as the record transaction.
   */
  get #finishTx(): Database.Transaction<(lease: Lease, steps: readonly Step[], encoded: readonly EncodedStep[], params: TransitionParams) => boolean> {
    return (this.#finishTransaction ??= this.#db.transaction((lease: Lease, steps: readonly Step[], encoded: readonly EncodedStep[], params: TransitionParams) => {
      if (!this.#recordTx(lease, steps, encoded)) return false;
      if (this.#sql.transition.run(params).changes === 1) return true;
      throw new FencedOut();
    }));
  }

  /** Built once: creating a better-sqlite3 transaction function per step costs more than the step. */
  get #recordTx(): Database.Transaction<(lease: Lease, steps: readonly Step[], encoded: readonly EncodedStep[]) => boolean> {
    return (this.#recordTransaction ??= this.#db.transaction((lease: Lease, steps: readonly Step[], encoded: readonly EncodedStep[]) => {
      const sql = this.#sql;
      if (sql.fence.get(lease.runId, lease.workerId, lease.epoch) === undefined) return false;
      this.#wrote();
      const now = Date.now();
      steps.forEach((step, i) => {
        const { input, output, error, plan } = encoded[i] as EncodedStep;
        if (plan !== null) sql.setPlan.run({ runId: lease.runId, plan, now });
        sql.upsertStep.run({
          runId: lease.runId,
          key: step.key,
          kind: step.kind,
          status: step.status,
          input,
          output,
          error,
          attempts: step.attempts ?? null,
          startedAt: step.startedAt.getTime(),
          finishedAt: step.finishedAt?.getTime() ?? null,
          epoch: lease.epoch,
        });
      });
      return true;
    }));
  }
}

/** 4 GB of WAL at 4 KiB pages: past that, a checkpoint is a stall, not an optimisation. */
const MAX_CHECKPOINT_PAGES = 1_000_000;

function openDatabase(path: string, synchronous: "NORMAL" | "FULL", checkpointPages: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma(`wal_autocheckpoint = ${checkpointPages}`);
    // A WAL that outgrew its checkpoint size while a reader held it is cut back when it restarts.
    const pageSize = Number(db.pragma("page_size", { simple: true }));
    db.pragma(`journal_size_limit = ${2 * checkpointPages * pageSize}`);
    return db;
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new CsAgentsError("STORE_UNREACHABLE", `cannot open the SQLite database at ${path}: ${reason}`, { cause: error });
  }
}

/** Thrown inside a transaction to roll it back: the fence refused its last statement. */
class FencedOut extends Error {}

function fence(lease: Lease): { runId: string; workerId: string; epoch: number } {
  return { runId: lease.runId, workerId: lease.workerId, epoch: lease.epoch };
}

function listParams(filter: ListFilter): { statuses: string | null; before: string | null; beforeAt: number | null; limit: number } {
  const before = filter.before ?? null;
  return {
    statuses: filter.status ? JSON.stringify(filter.status) : null,
    before,
    beforeAt: before === null ? null : createdAtFromRunId(before),
    limit: listLimit(filter.limit),
  };
}
