import type { Step } from "../core/index.js";

/**
 * Where a run's steps are recorded. `record` must be durable when it resolves: the engine
 * hands a step's result to nothing before it is recorded. Recording a key again replaces the
 * earlier step of that key (a `started` intent becomes `succeeded`).
 */
export interface Journal {
  record(step: Step): Promise<void>;
  /** Every step of the run, in the order they were first recorded. */
  load(runId: string): Promise<readonly Step[]>;
}

/** A journal in process memory: for tests, one-off runs and benchmarks. Nothing survives a crash. */
export function createMemoryJournal(): Journal {
  const runs = new Map<string, Map<string, Step>>();
  return {
    record(step) {
      let steps = runs.get(step.runId);
      if (!steps) runs.set(step.runId, (steps = new Map()));
      steps.set(step.key, step);
      return Promise.resolve();
    },
    load: (runId) => Promise.resolve([...(runs.get(runId)?.values() ?? [])]),
  };
}
