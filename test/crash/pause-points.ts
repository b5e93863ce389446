import fc from "fast-check";
import { newRunId, type Step } from "../../src/core/index.js";
import { defaultLeaseMarginMs, Worker, type RunEnd } from "../../src/engine/index.js";
import type { AmbiguousDecision, Lease, ServiceStore } from "../../src/store/index.js";
import { loggedLedger, PAY_STEP, paymentEngine } from "./payment-engine.js";

/**
 * A model of a worker paused at any point of a payment run, checked over random interleavings.
 *
 * Worker A runs a run with one non-idempotent, fenced payment and is paused at one point:
 *   before-intent   the intent is about to be written
 *   after-intent    the intent is committed, the call not started
 *   during-call     the call has started, the ledger has not seen it yet
 *   after-call      the ledger paid, the result is not committed
 * A short pause ends before A's local lease deadline and nobody takes the run. A long one outlasts
 * the lease: worker B takes the run over (as a reclaim after expiry would: a new epoch), and A is
 * let go on at a random moment of B's work: with the takeover, after B's first pass, after the
 * operator's first decision, or at the end. Each ambiguous step gets a random decision from an
 * operator who reads the ledger (`done` only with the payment in hand, else `retry`).
 *
 * Time is A's monotonic clock, moved by the model; the database's lease is long (B takes over
 * by force), so nothing depends on how fast this machine is.
 */

const LEASE_MS = 10_000;
const DEADLINE = LEASE_MS - defaultLeaseMarginMs(LEASE_MS);

export type PausePoint = "none" | "before-intent" | "after-intent" | "during-call" | "after-call";
export type Resume = "with-takeover" | "after-first-pass" | "after-decision" | "at-end";
export type Choice = AmbiguousDecision["action"];

export interface Schedule {
  readonly point: PausePoint;
  /** undefined: a short pause, A goes on before its deadline and nobody takes the run. */
  readonly resume: Resume | undefined;
  /** The operator's choices, one per ambiguous step met, in order. */
  readonly choices: readonly Choice[];
}

export const schedules: fc.Arbitrary<Schedule> = fc.record({
  point: fc.constantFrom<PausePoint>("none", "before-intent", "after-intent", "during-call", "after-call"),
  resume: fc.option(fc.constantFrom<Resume>("with-takeover", "after-first-pass", "after-decision", "at-end"), { nil: undefined }),
  choices: fc.array(fc.constantFrom<Choice>("retry", "done", "fail"), { minLength: 4, maxLength: 4 }),
});

export interface Outcome {
  readonly status: string | undefined;
  readonly payments: number;
  /** When A's calls started, on A's clock. */
  readonly zombieCallTimes: readonly number[];
  readonly deadline: number;
}

/** The pause A is held in, once. */
function pauseGate() {
  let reached = (): void => undefined;
  let release = (): void => undefined;
  const reachedP = new Promise<void>((resolve) => (reached = resolve));
  const releasedP = new Promise<void>((resolve) => (release = resolve));
  let used = false;
  return {
    reached: reachedP,
    release,
    /** Holds the caller here the first time the model's pause point is met. */
    async at(point: PausePoint, wanted: PausePoint): Promise<void> {
      if (used || point !== wanted) return;
      used = true;
      reached();
      await releasedP;
    },
  };
}

const isIntent = (step: Step) => step.key === PAY_STEP && step.status === "started";

/** A's store: pauses around the intent's write when the schedule says so. */
function pausingStore(store: ServiceStore, pause: (point: PausePoint) => Promise<void>): ServiceStore {
  const record = store.record.bind(store);
  const recordAll = store.recordAll.bind(store);
  const around = async (steps: readonly Step[], write: () => Promise<void>) => {
    const intent = steps.some(isIntent);
    if (intent) await pause("before-intent");
    await write();
    if (intent) await pause("after-intent");
  };
  const overrides: Partial<ServiceStore> = {
    record: (lease: Lease, step: Step) => around([step], () => record(lease, step)),
    recordAll: (lease: Lease, steps: readonly Step[]) => around(steps, () => recordAll(lease, steps)),
  };
  // A proxy, not a prototype: the stores keep private fields that only the instance itself passes.
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(overrides, property) ?? Reflect.get(target, property);
      return typeof value === "function" && !(property in overrides) ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Plays one schedule on two stores over one database (A's and B's). */
export async function play(schedule: Schedule, stores: { readonly a: ServiceStore; readonly b: ServiceStore }, options: { readonly deadlineCheck: boolean }): Promise<Outcome> {
  const ledger = loggedLedger();
  const gate = pauseGate();
  let clock = 0;
  const zombieCallTimes: number[] = [];
  const pause = (point: PausePoint) => gate.at(point, schedule.point);
  const zombieEngine = paymentEngine(ledger, {
    beforeLedger: async () => {
      zombieCallTimes.push(clock);
      await pause("during-call");
    },
    afterLedger: () => pause("after-call"),
  });
  const zombie = new Worker({
    store: pausingStore(stores.a, pause),
    engine: zombieEngine,
    workerId: "a",
    leaseMs: LEASE_MS,
    heartbeatMs: 3_600_000,
    // Without the deadline check, A's clock stands still: it never thinks its lease is gone.
    clock: options.deadlineCheck ? () => clock : () => 0,
  });
  const rescuer = new Worker({ store: stores.b, engine: paymentEngine(ledger), workerId: "b", leaseMs: LEASE_MS });
  const { run } = await stores.b.submit({ description: "pay ACME" }, { runId: newRunId() });
  const status = async () => (await stores.b.get(run.id))?.status;
  const choices = [...schedule.choices];
  const decide = async (): Promise<void> => {
    const [payment] = ledger.payments();
    const choice = choices.shift() ?? "retry";
    const decision: AmbiguousDecision =
      choice === "fail" ? { action: "fail", reason: "the operator gave up" } : choice === "done" && payment ? { action: "done", output: payment } : { action: "retry" };
    await stores.b.decide(run.id, PAY_STEP, decision);
  };

  const zombieDone: Promise<RunEnd | undefined> = zombie.runOne(run.id);
  try {
    await Promise.race([gate.reached, zombieDone]);
    if (schedule.resume === undefined) {
      clock += DEADLINE / 2;
    } else {
      clock += LEASE_MS;
      const first = rescuer.runOne(run.id);
      if (schedule.resume === "with-takeover") gate.release();
      await first;
      if (schedule.resume === "after-first-pass") gate.release();
      if ((await status()) === "waiting_approval") {
        await decide();
        if (schedule.resume === "after-decision") gate.release();
        await rescuer.runOne(run.id);
      }
    }
  } finally {
    gate.release();
  }
  await zombieDone;
  // Whatever is left, B and the operator finish.
  for (let turn = 0; turn < 8; turn++) {
    const now = await status();
    if (now === "succeeded" || now === "failed") break;
    if (now === "waiting_approval") await decide();
    else await rescuer.runOne(run.id);
  }
  return { status: await status(), payments: ledger.payments().length, zombieCallTimes, deadline: DEADLINE };
}

/** The invariant: one payment at most, exactly one for a run that succeeded, no call from A past its deadline. */
export function violation(outcome: Outcome): string | undefined {
  if (outcome.status !== "succeeded" && outcome.status !== "failed") return `the run ended ${String(outcome.status)}`;
  if (outcome.payments > 1) return `${outcome.payments} payments`;
  if (outcome.status === "succeeded" && outcome.payments !== 1) return "the run succeeded without a payment";
  const late = outcome.zombieCallTimes.filter((t) => t >= outcome.deadline);
  if (late.length > 0) return `the paused worker started a call at ${late.join(", ")} ms on its clock, past its deadline at ${outcome.deadline} ms`;
  return undefined;
}

/** Checks the invariant over `numRuns` random schedules; a failure names the schedule and fast-check's seed. */
export async function checkPausePoints(stores: { readonly a: ServiceStore; readonly b: ServiceStore }, options: { readonly numRuns: number; readonly deadlineCheck: boolean }): Promise<void> {
  await fc.assert(
    fc.asyncProperty(schedules, async (schedule) => {
      const problem = violation(await play(schedule, stores, options));
      if (problem) throw new Error(problem);
    }),
    { numRuns: options.numRuns, includeErrorInReport: true },
  );
}
