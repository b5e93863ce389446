import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { JournalError, newRunId } from "../core/index.js";
import type { Run, Task } from "../core/index.js";
import type { AuditSink, Lease, LeaseStore, RunStore, StepStore } from "../store/index.js";
import type { Engine, RunOutcome } from "./engine.js";
import type { EventListener } from "./events.js";
import type { Journal } from "./journal.js";
import type { ChildRuns } from "./child-run.js";
import { LeaseDeadline, type MonotonicClock } from "./lease-deadline.js";

export interface WorkerOptions {
  /** With `get`, subtasks with `agent: "run"` submit child runs to it; without, they fail. */
  readonly store: LeaseStore & StepStore & Pick<RunStore, "submit"> & Partial<Pick<RunStore, "get">>;
  readonly engine: Engine;
  /** Default `<hostname>/<pid>/<random>`. */
  readonly workerId?: string;
  /** Runs executed at once. Default 4. */
  readonly concurrency?: number;
  /** How long a claim lasts without a heartbeat. Default 30,000. */
  readonly leaseMs?: number;
  /** Default leaseMs / 3. */
  readonly heartbeatMs?: number;
  /**
   * Kept back from the lease: a run is given up locally this long before its lease could expire
   * in the database. Default 10 % of the lease, at least 200 ms, at most half the lease.
   */
  readonly leaseMarginMs?: number;
  /** The monotonic clock lease deadlines are measured on. Default `performance.now`. */
  readonly clock?: MonotonicClock;
  /** Pause between claims when the queue is empty. Default 250. */
  readonly pollMs?: number;
  /**
   * A run whose lease expired this many times while it was held alone is failed as poison.
   * A run orphaned beside others is quarantined (run alone from then on), not charged. Default 3.
   */
  readonly maxCrashes?: number;
  /**
   * At most this many runs of one tenant held at once by all the store's workers (0: no limit,
   * the default): a tenant flooding the queue leaves the other slots to other tenants.
   */
  readonly maxRunningPerTenant?: number;
  /** How often held runs are checked for a cancellation made elsewhere (API, CLI). Default 1,000. */
  readonly cancelCheckMs?: number;
  readonly onEvent?: EventListener;
  /** Where the engine writes its audit entries (sensitive calls, refusals, model outputs). */
  readonly audit?: AuditSink;
  /** Called with anything that went wrong outside a run (store unreachable, …). */
  readonly onError?: (error: unknown) => void;
  /**
   * Told after each commit that changed a run's journal or status (its claim, steps, outcome,
   * release), so live event streams in this process look now instead of at their next poll.
   * Called synchronously on the worker's path: keep it cheap; what it throws is reported to
   * `onError`, never to the run.
   */
  readonly onWritten?: (runId: string) => void;
}

const ENDED_KEPT = 1_000;

/** What became of a run this worker held. */
export type RunEnd = { readonly runId: string } & (
  | { readonly kind: "finished"; readonly outcome: RunOutcome }
  | { readonly kind: "released" }
  | { readonly kind: "lease_lost" }
  /** A timer put it to sleep: it holds no lease until `wakeAt`, when any worker may take it. */
  | { readonly kind: "sleeping"; readonly wakeAt: number }
  /** A tool asked a person: it holds no lease until the answer (or `wakeAt`, epoch ms, when set). */
  | { readonly kind: "waiting_input"; readonly stepKey: string; readonly wakeAt: number | undefined }
  /** Subtasks wait for child runs: it holds no lease until one of them finishes (or `wakeAt`, epoch ms, when set). */
  | { readonly kind: "waiting_children"; readonly childRunIds: readonly string[]; readonly wakeAt: number | undefined }
  /** Cancelled while it ran (the store already says so): stopped here, nothing more written. */
  | { readonly kind: "cancelled" }
);

/**
 * Claims runs from the store with a lease, executes them with the engine through a journal
 * fenced by that lease, heartbeats, and records their outcome. `stop` drains gracefully.
 */
export class Worker {
  readonly id: string;
  readonly #options: WorkerOptions;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #active = new Map<string, { lease: Lease; controller: AbortController; done: Promise<RunEnd>; cancelled: boolean }>();
  #cancelCheck: NodeJS.Timeout | undefined;
  /** The newest ended runs, at most ENDED_KEPT: a long-lived worker must not grow with every run. */
  readonly #ended: RunEnd[] = [];
  #endedCount = 0;
  #claiming = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;
  #releasing = false;

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.id = options.workerId ?? `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#leaseMs = options.leaseMs ?? 30_000;
  }

  /** Starts claiming in the background. */
  start(): void {
    if (this.#loop) return;
    this.#claiming = true;
    this.#loop = this.#claimLoop();
  }

  /** Claims now instead of at the next poll (a run was just submitted); nothing when no slot is free. */
  wake(): void {
    // Remembered, so a claim already on its way that missed the run is followed by another at once.
    this.#woken = true;
    if (this.#active.size < this.#concurrency) this.#wake?.();
  }

  /** Runs held right now. */
  get activeRuns(): readonly string[] {
    return [...this.#active.keys()];
  }

  /** The newest runs this worker has let go of (at most 1,000), oldest first. */
  get ended(): readonly RunEnd[] {
    return [...this.#ended];
  }

  /** How many runs this worker has let go of since it started. */
  get endedCount(): number {
    return this.#endedCount;
  }

  /**
   * Stops a run this worker holds because it was cancelled (the store already records it):
   * its tools see their signal abort. False when the run is not held here.
   */
  cancel(runId: string): boolean {
    const active = this.#active.get(runId);
    if (!active) return false;
    active.cancelled = true;
    active.controller.abort();
    return true;
  }

  /**
   * Executes one specific run now (`cs-agents resume`, `cs-agents run`), taking it over even
   * when another lease holds it. Resolves undefined when the run is not runnable.
   */
  async runOne(runId: string): Promise<RunEnd | undefined> {
    const sentAt = this.#now();
    const [lease] = await this.#options.store.claim({ workerId: this.id, leaseMs: this.#leaseMs, limit: 1, maxCrashes: this.#maxCrashes, runId, holding: this.#active.size });
    if (lease) this.#written(runId);
    return lease ? this.#execute(lease, sentAt) : undefined;
  }

  /**
   * Submits a new run already claimed by this worker and starts it here at once (eager start):
   * it never waits in the queue for a poll, and the submit is its claim (one commit, not two).
   * `onSubmitted` hears of the stored run before anything of it runs. `end` settles when this
   * worker lets go of the run; it is undefined when the run existed already (the same
   * idempotency key): that run is left to whoever holds or claims it.
   */
  async submitAndRun(task: Task, options: { readonly runId: string; readonly onSubmitted?: (run: Run) => void }): Promise<{ readonly run: Run; readonly created: boolean; readonly end?: Promise<RunEnd> }> {
    const sentAt = this.#now();
    const { run, created, lease } = await this.#options.store.submit(task, { runId: options.runId, claim: { workerId: this.id, leaseMs: this.#leaseMs } });
    options.onSubmitted?.(run);
    if (lease) this.#written(run.id);
    return lease ? { run, created, end: this.#execute(lease, sentAt) } : { run, created };
  }

  /**
   * Stops claiming, lets running runs finish for up to `graceMs`, then aborts the rest and
   * releases their leases so another worker can take them at once.
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.#claiming = false;
    this.#wake?.();
    await this.#loop;
    const all = Promise.all([...this.#active.values()].map((a) => a.done));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), graceMs)));
    const first = await Promise.race([all, graceOver]);
    clearTimeout(timer);
    if (first === "timeout") {
      this.#releasing = true;
      for (const active of this.#active.values()) active.controller.abort();
      await all;
    }
  }

  /** Tells `onWritten`; a listener's failure never reaches the run. */
  #written(runId: string): void {
    const listener = this.#options.onWritten;
    if (!listener) return;
    try {
      listener(runId);
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  #now(): number {
    return this.#options.clock ? this.#options.clock() : performance.now();
  }

  get #maxCrashes(): number {
    return this.#options.maxCrashes ?? 3;
  }

  async #claimLoop(): Promise<void> {
    while (this.#claiming) {
      this.#woken = false;
      // A run held alone (quarantined after a crash) keeps every other slot empty until it ends.
      const free = this.#holdsAlone() ? 0 : this.#concurrency - this.#active.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const sentAt = this.#now();
          const leases = await this.#options.store.claim({ workerId: this.id, leaseMs: this.#leaseMs, limit: free, maxCrashes: this.#maxCrashes, holding: this.#active.size, maxHeldPerTenant: this.#options.maxRunningPerTenant ?? 0 });
          claimed = leases.length;
          for (const lease of leases) {
            this.#written(lease.runId);
            void this.#execute(lease, sentAt);
          }
        } catch (error) {
          this.#options.onError?.(error);
        }
      }
      // Claim again at once after a full batch or a wake; otherwise wait for a free slot, a wake or the poll interval.
      if ((claimed === 0 && !this.#woken) || this.#active.size >= this.#concurrency || this.#holdsAlone()) await this.#pause();
    }
  }

  #holdsAlone(): boolean {
    for (const active of this.#active.values()) if (active.lease.alone) return true;
    return false;
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#options.pollMs ?? 250);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  /** `sentAt`: when the claim of `lease` was sent, on the monotonic clock; its deadline runs from then. */
  #execute(lease: Lease, sentAt: number): Promise<RunEnd> {
    const controller = new AbortController();
    const done = this.#drive(lease, sentAt, controller).then((end) => {
      this.#active.delete(lease.runId);
      if (this.#active.size === 0) this.#stopCancelCheck();
      this.#endedCount += 1;
      if (this.#ended.push(end) > ENDED_KEPT) this.#ended.shift();
      this.#wake?.();
      return end;
    });
    this.#active.set(lease.runId, { lease, controller, done, cancelled: false });
    this.#startCancelCheck();
    return done;
  }

  /** One query for every held run, while there are any: a cancel elsewhere stops the run here within a check. */
  #startCancelCheck(): void {
    if (this.#cancelCheck) return;
    this.#cancelCheck = setInterval(() => {
      const held = [...this.#active.keys()];
      this.#options.store.cancelledAmong(held).then(
        (cancelled) => cancelled.forEach((runId) => this.cancel(runId)),
        (error: unknown) => this.#options.onError?.(error),
      );
    }, this.#options.cancelCheckMs ?? 1_000);
    this.#cancelCheck.unref();
  }

  #stopCancelCheck(): void {
    clearInterval(this.#cancelCheck);
    this.#cancelCheck = undefined;
  }

  async #drive(lease: Lease, claimSentAt: number, controller: AbortController): Promise<RunEnd> {
    const { store, engine } = this.#options;
    const runId = lease.runId;
    let lost = false;
    const loseLease = () => {
      lost = true;
      controller.abort();
    };
    const now = () => this.#now();
    const deadlineOptions = { leaseMs: this.#leaseMs, now, onPassed: loseLease };
    const deadline = new LeaseDeadline(this.#options.leaseMarginMs === undefined ? deadlineOptions : { ...deadlineOptions, marginMs: this.#options.leaseMarginMs }, claimSentAt);
    const heartbeat = setInterval(() => {
      const sentAt = now();
      store.heartbeat(lease, this.#leaseMs).then(
        (kept) => {
          if (kept) deadline.confirm(sentAt);
          else loseLease();
        },
        (error: unknown) => this.#options.onError?.(error),
      );
    }, this.#options.heartbeatMs ?? Math.max(50, Math.floor(this.#leaseMs / 3)));
    // Set when the engine committed the outcome with the run's last steps.
    let finished = false;
    try {
      // The claim made the run `running`: no transition to write here.
      const recordStep = this.#options.audit?.recordStep;
      const written = <T>(result: T): T => {
        this.#written(runId);
        return result;
      };
      const journal: Journal = {
        record: (step) => store.record(lease, step).then(written),
        recordAll: (steps) => store.recordAll(lease, steps).then(written),
        ...(recordStep ? { recordAudited: (step, draft) => recordStep(lease, step, draft).then(written) } : {}),
        finish: async (steps, outcome) => {
          // The engine records a sleeping run's steps itself; this is never a sleep.
          if (outcome.status === "sleeping" || outcome.status === "waiting_input" || outcome.status === "waiting_children") return store.recordAll(lease, steps);
          await store.transition(lease, updateOf(outcome), steps);
          finished = true;
          this.#written(runId);
        },
        // Steps are written only under a lease: a run on its first lease has none to read (a
        // fork's seeded steps count as its first lease's: its first claim has epoch 2).
        load: (id) => (lease.epoch === 1 ? Promise.resolve([]) : store.load(id)),
      };
      const runLease = { epoch: lease.epoch, held: () => deadline.held() };
      const children = childRunsOf(store);
      const request = { runId, task: lease.task, signal: controller.signal, journal, lease: runLease, ...(children ? { children } : {}), ...(this.#options.audit ? { audit: this.#options.audit } : {}) };
      const outcome = await engine.execute(this.#options.onEvent ? { ...request, onEvent: this.#options.onEvent } : request);
      if (finished) return { runId, kind: "finished", outcome };
      if (outcome.status === "sleeping") {
        await store.sleep(lease, new Date(outcome.wakeAt));
        this.#written(runId);
        return { runId, kind: "sleeping", wakeAt: outcome.wakeAt };
      }
      if (outcome.status === "waiting_input") {
        await store.sleep(lease, outcome.wakeAt === undefined ? null : new Date(outcome.wakeAt), "waiting_input");
        this.#written(runId);
        return { runId, kind: "waiting_input", stepKey: outcome.stepKey, wakeAt: outcome.wakeAt };
      }
      if (outcome.status === "waiting_children") {
        await store.sleep(lease, outcome.wakeAt === undefined ? null : new Date(outcome.wakeAt), "waiting_children");
        this.#written(runId);
        return { runId, kind: "waiting_children", childRunIds: outcome.childRunIds, wakeAt: outcome.wakeAt };
      }
      if (this.#active.get(runId)?.cancelled && outcome.status === "cancelled") return { runId, kind: "cancelled" };
      if (lost) return { runId, kind: "lease_lost" };
      if (this.#releasing && outcome.status === "cancelled") {
        await store.release(lease);
        this.#written(runId);
        return { runId, kind: "released" };
      }
      await store.transition(lease, updateOf(outcome));
      this.#written(runId);
      return { runId, kind: "finished", outcome };
    } catch (error) {
      if (error instanceof JournalError && error.code === "LEASE_LOST") return { runId, kind: this.#active.get(runId)?.cancelled ? "cancelled" : "lease_lost" };
      this.#options.onError?.(error);
      // The store failed under us: give the run back rather than leave it to lease expiry.
      await store.release(lease).then(
        () => this.#written(runId),
        () => undefined,
      );
      return { runId, kind: "released" };
    } finally {
      clearInterval(heartbeat);
      deadline.close();
    }
  }
}

/** The plan is left out: this run's `plan` step, recorded through the same store, holds it. */
function updateOf(outcome: Exclude<RunOutcome, { status: "sleeping" | "waiting_input" | "waiting_children" }>) {
  if (outcome.status === "waiting_approval") return { status: "waiting_approval" as const };
  return outcome.status === "succeeded" ? { status: "succeeded" as const, result: outcome.result } : { status: outcome.status, error: outcome.error };
}


/** Child runs go to the worker's store: submitted queued, for any worker (this one included) to claim. */
function childRunsOf(store: WorkerOptions["store"]): ChildRuns | undefined {
  const get = store.get?.bind(store);
  if (!get) return undefined;
  return {
    submit: async (task, parent) => (await store.submit(task, { runId: newRunId(), parent })).run,
    get,
    load: (runId) => store.load(runId),
  };
}
