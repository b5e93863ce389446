import type { Run, Step } from "../core/index.js";
import type { AmbiguousDecision, FinalOutcome, ForkRequest, ServiceStore, StoredReferences } from "../store/index.js";
import type { ArtifactStore } from "./artifact-store.js";
import { DEFAULT_INLINE_LIMIT, holdsBlobRef, isBlobRef, openRef, packValue, unpackValue } from "./blob-ref.js";

export interface WithArtifactStoreOptions {
  /** JSON text at or above this many bytes leaves the row (default 1 KiB). */
  readonly inlineLimit?: number;
}

/**
 * The store, with artifacts and large values out of its rows: every write of a journal step, a
 * run's result or a person's decision first moves them into `artifacts` (content-addressed, so
 * written once however many steps hold them) and keeps references; every read gives the values
 * back whole. Callers see the same values as without it, so the engine, the CLI and the API are
 * unchanged. Blobs go in before the row that refers to them commits: a crash in between leaves
 * an unreferenced blob, never a reference to nothing.
 *
 * Rows written before (inline values, saved v1 journals) read as they are; `moveInlineValues`
 * moves them out.
 */
export function withArtifactStore<S extends ServiceStore>(store: S, artifacts: ArtifactStore, options: WithArtifactStoreOptions = {}): S {
  const limit = options.inlineLimit ?? DEFAULT_INLINE_LIMIT;
  const packStep = async (step: Step): Promise<Step> => {
    // The plan stays in its row: `status` and the run list read it without the artifact store.
    if (step.key === "plan") return step;
    const input = step.input === undefined ? undefined : await packValue(step.input, artifacts, limit);
    const output = step.output === undefined ? undefined : await packValue(step.output, artifacts, limit);
    return { ...step, ...(input === undefined ? {} : { input }), ...(output === undefined ? {} : { output }) };
  };
  const packSteps = (steps: readonly Step[] | undefined): Promise<Step[]> | undefined => (steps === undefined ? undefined : Promise.all(steps.map(packStep)));
  const packOutcome = async <U>(update: U): Promise<U> => {
    const outcome = update as FinalOutcome;
    if (outcome.status !== "succeeded" || !("result" in outcome)) return update;
    return { ...outcome, result: await packValue(outcome.result, artifacts, limit) } as U;
  };
  // A fork's replacement output is a step value like any other; a replacement plan stays in its row.
  const packFork = async (request: ForkRequest): Promise<ForkRequest> =>
    request.output === undefined || request.stepKey === "plan" ? request : { ...request, output: { value: await packValue(request.output.value, artifacts, limit) } };
  const packDecision = async (decision: AmbiguousDecision): Promise<AmbiguousDecision> => (decision.action === "done" ? { ...decision, output: await packValue(decision.output, artifacts, limit) } : decision);

  /** Writes whose arguments are packed first; the index is the packed argument's position. */
  const writes: Record<string, (args: unknown[]) => Promise<unknown[]>> = {
    record: async ([lease, step, ...rest]) => [lease, await packStep(step as Step), ...rest],
    recordAudited: async ([lease, step, ...rest]) => [lease, await packStep(step as Step), ...rest],
    recordAll: async ([lease, steps, ...rest]) => [lease, await packSteps(steps as Step[]), ...rest],
    transition: async ([lease, update, steps, ...rest]) => [lease, await packOutcome(update), await packSteps(steps as Step[] | undefined), ...rest],
    decide: async ([runId, key, decision, ...rest]) => [runId, key, await packDecision(decision as AmbiguousDecision), ...rest],
    decideAudited: async ([runId, key, decision, ...rest]) => [runId, key, await packDecision(decision as AmbiguousDecision), ...rest],
    forkAudited: async ([request, ...rest]) => [await packFork(request as ForkRequest), ...rest],
  };

  const references: StoredReferences = {
    get: (runId) => store.get(runId),
    load: (runId) => store.load(runId),
    open: (value) => openRef(value, artifacts),
    whole: (value) => unpackValue(value, artifacts),
    sizeOf: (value) => (isBlobRef(value) && value.form !== "json" ? value.size : undefined),
  };

  return new Proxy(store, {
    get(target, property) {
      if (property === "references") return references;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      const write = typeof property === "string" ? writes[property] : undefined;
      return (...args: unknown[]) => {
        const call = (actual: unknown[]): unknown => {
          // Bound to the store itself: its private fields are not reachable through the proxy.
          const result = method.apply(target, actual);
          return result instanceof Promise ? result.then((resolved) => unpackValue(resolved, artifacts)) : result;
        };
        // transition without steps must stay without them: the packed list is cut to the arguments given.
        if (property === "close") return Promise.resolve(call(args)).finally(() => artifacts.close?.());
        // A listing shows runs, not their files: a result held in the artifact store is left
        // out (no reads of a bucket per listed run); `get` gives it whole.
        if (property === "list") return (method.apply(target, args) as Promise<readonly Run[]>).then((runs) => runs.map(withoutStoredResult));
        return write ? write(args).then((packed) => call(packed.slice(0, args.length))) : call(args);
      };
    },
  });
}

function withoutStoredResult(run: Run): Run {
  if (run.result === undefined || !holdsBlobRef(run.result)) return run;
  const { result: _stored, ...rest } = run;
  return rest;
}
