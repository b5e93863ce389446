import type { Step } from "../core/index.js";
import type { AuditDraft } from "../store/index.js";
import type { RunOutcome } from "./engine.js";

/**
 * Where a run's steps are recorded. `record` must be durable when it resolves: the engine
 * hands a step's result to nothing before it is recorded. Recording a key again replaces the
 * earlier step of that key (a `started` intent becomes `succeeded`).
 */
export interface Journal {
  record(step: Step): Promise<void>;
  /**
   * Records steps of distinct keys at once, all or none (one commit in a store). Optional: the
   * engine records them one by one, in order, when a journal has no `recordAll`.
   */
  recordAll?(steps: readonly Step[]): Promise<void>;
  /**
   * Records a step with the audit entry about it, both or neither (one commit in a store).
   * Optional: without it the engine records the step, then appends the entry to its sink.
   */
  recordAudited?(step: Step, audit: AuditDraft): Promise<void>;
  /**
   * Records the run's last steps together with its outcome, all or none (one commit in a store);
   * whoever executes the run then writes no outcome of its own. Optional: without it the engine
   * records those steps like any others, before it returns the outcome.
   */
  finish?(steps: readonly Step[], outcome: RunOutcome): Promise<void>;
  /** Every step of the run, in the order they were first recorded. */
  load(runId: string): Promise<readonly Step[]>;
}

export interface MemoryJournalOptions {
  /**
   * Runs kept, newest first written; older runs' steps are dropped, so a long-lived process
   * does not grow with every run. Default 10,000.
   */
  readonly maxRuns?: number;
}

/** A journal in process memory: for tests, one-off runs and benchmarks. Nothing survives a crash. */
export function createMemoryJournal(options: MemoryJournalOptions = {}): Journal {
  const maxRuns = Math.max(1, options.maxRuns ?? 10_000);
  const runs = new Map<string, Map<string, Step>>();
  // The runs in the order they were first written, as a ring: the slot a new run takes holds the
  // run to drop. (Asking the Map for its oldest key walks past every deleted entry, which grew
  // with every run dropped: ~7 % of a no-op run's CPU.)
  const order: (string | undefined)[] = [];
  let next = 0;
  const record = (step: Step) => {
    let steps = runs.get(step.runId);
    if (!steps) {
      runs.set(step.runId, (steps = new Map()));
      const dropped = order[next];
      if (dropped !== undefined) runs.delete(dropped);
      order[next] = step.runId;
      next = (next + 1) % maxRuns;
    }
    steps.set(step.key, step);
  };
  return {
    record(step) {
      record(step);
      return Promise.resolve();
    },
    recordAll(steps) {
      steps.forEach(record);
      return Promise.resolve();
    },
    load: (runId) => Promise.resolve([...(runs.get(runId)?.values() ?? [])]),
  };
}

/** `journal.recordAll` when it has one, else each step in order. */
export async function recordSteps(journal: Journal, steps: readonly Step[]): Promise<void> {
  if (steps.length === 1 && steps[0]) return journal.record(steps[0]);
  if (journal.recordAll) return journal.recordAll(steps);
  for (const step of steps) await journal.record(step);
}
