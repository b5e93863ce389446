import type { ErrorInfo, Plan, Run, RunParent, RunResult, RunStatus, Step, Task } from "../core/index.js";

/** The version of the journal format written by this release; stored on every run. */
export const JOURNAL_SCHEMA_VERSION = 1;

/** A worker's claim on a run. Every fenced write carries it; a newer claim makes it stale. */
export interface Lease {
  readonly runId: string;
  readonly workerId: string;
  /** Increases on every claim of the run; writes with an older epoch are rejected. */
  readonly epoch: number;
  readonly task: Task;
  /** True when the run was taken over from a worker whose lease had expired. */
  readonly reclaimed: boolean;
  /**
   * True when this run is held alone: its worker holds no other run and must claim none while
   * it holds this one, so a crash of that worker is this run's doing and counts toward poison.
   */
  readonly alone: boolean;
}

/** What a worker asks of `claim`. */
export interface ClaimRequest {
  readonly workerId: string;
  readonly leaseMs: number;
  readonly limit: number;
  readonly maxCrashes: number;
  /** Take over this run, even from a live lease. */
  readonly runId?: string;
  /**
   * Runs the worker holds right now (default 0). Only a worker that holds none is handed a
   * quarantined run (one orphaned by a crash), alone; while one waits, busier workers get nothing.
   */
  readonly holding?: number;
  /**
   * At most this many runs of one tenant held by workers at once, across every worker of the
   * store (0 or absent: no limit); a tenant's other runs wait, so the slots left stay free for
   * other tenants. Exact on SQLite (one writer); on PostgreSQL two claims at the same moment may
   * each take a tenant's last place, so the limit can be passed by one run per concurrent claimer.
   */
  readonly maxHeldPerTenant?: number;
}

export interface SubmitOptions {
  /** Use this id for a new run (the CLI picks it to name the output folder). */
  readonly runId: string;
  /**
   * Start the new run already claimed by this worker (eager start): it never waits in the queue,
   * and the submit is its claim, one commit instead of two. A run that existed already (same
   * idempotency key) is returned as it is, unclaimed.
   */
  readonly claim?: { readonly workerId: string; readonly leaseMs: number };
  /**
   * The new run is a child run: the subtask `subtask` of run `runId` is carried out by it. The
   * parent, waiting in `waiting_children`, is queued again when this run reaches a final status,
   * and cancelling the parent cancels it.
   */
  readonly parent?: RunParent;
}

/** A child run as its parent's views list it. */
export interface ChildRunSummary {
  readonly id: string;
  readonly status: RunStatus;
  /** The parent's subtask this run carries out. */
  readonly subtask: string;
  readonly createdAt: Date;
}

/** What `submit` did: the run, whether it is new, and its lease when it was claimed as it was created. */
export interface Submitted {
  readonly run: Run;
  readonly created: boolean;
  readonly lease?: Lease;
}

/** A run as a list shows it: without its plan, result and error, which a page of runs never reads. */
export type RunHeader = Pick<Run, "id" | "task" | "status" | "createdAt" | "updatedAt" | "parent">;

export interface ListFilter {
  readonly status?: readonly RunStatus[];
  readonly tenant?: string;
  /** Default 50, at most 500. */
  readonly limit?: number;
  /** Runs created before this run id (ids sort by creation time): the next page. */
  readonly before?: string;
}

/**
 * A finished run's outcome, as `LeaseStore.transition` records it. A plan left out keeps the one
 * the `plan` step already stored (a worker's runs always have it), so it is not written twice.
 */
export type FinalOutcome =
  | { readonly status: "succeeded"; readonly plan?: Plan | undefined; readonly result: RunResult }
  | { readonly status: "failed" | "cancelled"; readonly plan?: Plan | undefined; readonly error: ErrorInfo };

export interface QueueStats {
  readonly depth: number;
  /** Undefined when the queue is empty. */
  readonly oldestCreatedAt: Date | undefined;
}

/** What a person decides about an `ambiguous` step. */
export type AmbiguousDecision =
  | { readonly action: "retry" }
  | { readonly action: "done"; readonly output: unknown }
  | { readonly action: "fail"; readonly reason: string };

export interface Retention {
  /** Finished runs older than this are deleted with their steps. */
  readonly maxAgeMs?: number;
  /** At most this many finished runs are kept (the newest). */
  readonly maxFinishedRuns?: number;
}

/** Counters a store keeps for metrics: lease takeovers and fenced writes it refused. */
export interface StoreStats {
  readonly reclaims: number;
  readonly staleWritesRejected: number;
  /**
   * SQLite, once its WAL checkpoint thread has started: whether the thread stopped on an error.
   * Nothing is lost then; commits checkpoint themselves again, and wait for it.
   */
  readonly checkpointThreadFailed?: boolean;
}

/** Runs as users see them: submit, read, list, decide, prune. */
export interface RunStore {
  /**
   * Creates a queued run, or returns the existing run with the same (tenant, idempotencyKey).
   * @throws InvalidInputError (INVALID_INPUT) when the task is malformed.
   */
  submit(task: Task, options: SubmitOptions): Promise<Submitted>;
  get(runId: string): Promise<Run | undefined>;
  list(filter?: ListFilter): Promise<readonly Run[]>;
  /** The same runs as `list`, as headers: a page of finished runs parses no plans or results. */
  listHeaders(filter?: ListFilter): Promise<readonly RunHeader[]>;
  /**
   * Settles an `ambiguous` step and queues the run again.
   * @throws CsAgentsError (NOT_FOUND, NOT_AMBIGUOUS) when there is no such ambiguous step.
   */
  decide(runId: string, stepKey: string, decision: AmbiguousDecision): Promise<void>;
  /** Deletes finished runs past the retention; returns how many. */
  prune(retention: Retention): Promise<number>;
  /** Bytes the run's row and steps take (JSON payload sizes). */
  storageBytes(runId: string): Promise<number>;
  /** Runs waiting in the queue (not yet claimed) and when the oldest of them was submitted. */
  queueStats(): Promise<QueueStats>;
  /** The run's child runs (submitted with `parent`), oldest first; empty for none or no such run. */
  children(runId: string): Promise<readonly ChildRunSummary[]>;
}

/** Work distribution: claim runs with a lease, keep it, give it back. */
export interface LeaseStore {
  /**
   * Claims up to `limit` runnable runs (queued, or active with an expired lease) for
   * `leaseMs`, oldest first. A run already claimed `maxClaims` times after lease expiries is
   * failed with code POISON_RUN instead. `runId` claims that run only, even when its lease has
   * not expired (`cs-agents resume`).
   */
  claim(request: ClaimRequest): Promise<readonly Lease[]>;
  /** Which of these runs were cancelled (a person or the API): the worker stops them. */
  cancelledAmong(runIds: readonly string[]): Promise<readonly string[]>;
  /** Extends the lease; false when it was lost (another claim bumped the epoch). */
  heartbeat(lease: Lease, leaseMs: number): Promise<boolean>;
  /** Gives the run back unfinished so another worker can claim it at once. */
  release(lease: Lease): Promise<void>;
  /**
   * Moves the run to `status` (running, waiting_approval) or records its final outcome. `steps`,
   * when given, are recorded in the same fenced commit, all or none with the change: a run's last
   * steps and its outcome cost one commit.
   * @throws JournalError (LEASE_LOST) when the lease is stale (nothing is written);
   *   InvalidInputError for `steps` as `StepStore.recordAll` refuses them.
   */
  transition(lease: Lease, update: { readonly status: "planning" | "running" | "waiting_approval" } | FinalOutcome, steps?: readonly Step[]): Promise<void>;
  /**
   * Puts the run to sleep until `wakeAt`: it becomes `status` (default `sleeping`) and loses its
   * lease, and a claim takes it again once `wakeAt` has passed (on PostgreSQL by the database
   * clock), due runs first. A run `waiting_input` with `wakeAt` null is claimed only after an
   * answer queues it again (`answerAudited`). A run `waiting_children` is queued again by the
   * final status of any of its child runs; when none of them is unfinished any more as this
   * commits, the run is queued at once instead.
   * @throws JournalError (LEASE_LOST) when the lease is stale (nothing is written).
   */
  sleep(lease: Lease, wakeAt: Date | null, status?: "sleeping" | "waiting_input" | "waiting_children"): Promise<void>;
  stats(): StoreStats;
}

/** The step journal, fenced by the lease. */
export interface StepStore {
  /**
   * Inserts or replaces the step with this key, in one transaction that first checks the lease.
   * @throws JournalError (LEASE_LOST) when the lease's epoch is not the run's current one:
   *   nothing is written.
   */
  record(lease: Lease, step: Step): Promise<void>;
  /**
   * Records several steps of distinct keys in one fenced transaction: all or none. The engine
   * uses it to commit a tool call's result with the step that follows it.
   * @throws JournalError (LEASE_LOST) as `record`; InvalidInputError for an empty list or a key twice.
   */
  recordAll(lease: Lease, steps: readonly Step[]): Promise<void>;
  /** The run's steps in the order their keys were first recorded. */
  load(runId: string): Promise<readonly Step[]>;
}

/** One database behind all three ports, with its lifecycle. */
export interface Store extends RunStore, LeaseStore, StepStore {
  /** Applies pending migrations; returns the versions applied. */
  migrate(): Promise<readonly number[]>;
  close(): Promise<void>;
}
