import { artifactBytes } from "../core/index.js";
import type { Artifact, Run, Step } from "../core/index.js";
import type { StoredReferences } from "../store/index.js";

/** `subtask/<id>/done`: the step whose output is the subtask's (core's stepKeys.subtaskDone). */
const SUBTASK_DONE = /^subtask\/[^/]+\/done$/;

/** An artifact as the run's page lists it: no content. */
export interface ListedArtifact {
  readonly name: string;
  readonly mediaType: string;
  readonly bytes: number;
}

/** What `runDetail` needs of a run whose large values live in the artifact store. */
export interface RunPage {
  readonly run: Run;
  readonly steps: readonly Step[];
  /** Undefined when the run has no result. */
  readonly artifacts: readonly ListedArtifact[] | undefined;
}

/**
 * A run and its journal read as stored (large values are references), with only what the page
 * shows read from the artifact store: the result's output, each finished subtask's output, the
 * open questions and the timers. Artifacts are listed with the sizes their references carry,
 * their content left unread; the tool calls' inputs and outputs stay references (the page shows
 * only how many calls there were). A finished report run was read whole before: every chart,
 * table and workbook, ~14 ms of CPU for a page that shows their sizes.
 */
export async function runPage(references: StoredReferences, run: Run, steps: readonly Step[]): Promise<RunPage> {
  const [result, shownSteps] = await Promise.all([run.result === undefined ? undefined : shownResult(references, run.result), Promise.all(steps.map((step) => shownStep(references, step)))]);
  if (!result) return { run, steps: shownSteps, artifacts: undefined };
  return { run: { ...run, result: { subtasks: {}, artifacts: [], output: result.output } }, steps: shownSteps, artifacts: result.artifacts };
}

async function shownResult(references: StoredReferences, stored: unknown): Promise<{ output: unknown; artifacts: ListedArtifact[] }> {
  const result = (await references.open(stored)) as { readonly output?: unknown; readonly artifacts?: unknown };
  const listed = await references.open(result.artifacts);
  const items = (await Promise.all((Array.isArray(listed) ? listed : []).map((item) => references.open(item)))) as Artifact[];
  return {
    output: await references.whole(result.output),
    artifacts: items.map((a) => ({ name: a.name, mediaType: a.mediaType, bytes: references.sizeOf(a.content) ?? artifactBytes(a).length })),
  };
}

/** The step with the values the page reads made whole; the others stay as stored. */
async function shownStep(references: StoredReferences, step: Step): Promise<Step> {
  if (step.status === "started" && step.kind === "input") return { ...step, input: await references.whole(step.input) };
  if (step.status === "started" && step.kind === "sleep") return { ...step, output: await references.whole(step.output) };
  if (step.status === "succeeded" && SUBTASK_DONE.test(step.key)) {
    const done = (await references.open(step.output)) as { readonly output?: unknown } | undefined;
    return { ...step, output: { output: await references.whole(done?.output) } };
  }
  return step;
}
