import type { z } from "zod";
import { FINAL_RUN_STATUSES, openQuestions } from "../core/index.js";
import type { Run } from "../core/index.js";
import type { ChildRunSummary } from "../store/index.js";
import type { HandlerContext } from "./handlers.js";
import { ApiError } from "./problem.js";
import type { ChildViewSchema, QuestionSchema } from "./schemas.js";
import { tenantRun } from "./task-handlers.js";

type ChildView = z.infer<typeof ChildViewSchema>;
type Question = z.infer<typeof QuestionSchema>;

/** Deeper than this, a child's questions are not looked for (a tree of runs is rarely deeper). */
const MAX_DEPTH = 8;

/** A run's children, and the open questions of its unfinished descendants (each with its run id). */
export async function familyOf(context: Pick<HandlerContext, "deps">, run: Run): Promise<{ children: ChildView[]; childQuestions: Question[] }> {
  const store = context.deps.store;
  const own = await store.children(run.id);
  const childQuestions: Question[] = [];
  const visit = async (children: readonly ChildRunSummary[], depth: number): Promise<void> => {
    for (const child of children) {
      if (FINAL_RUN_STATUSES.has(child.status)) continue;
      if (child.status === "waiting_input") childQuestions.push(...openQuestions(await store.load(child.id)).map((q) => ({ ...q, runId: child.id })));
      if (depth < MAX_DEPTH) await visit(await store.children(child.id), depth + 1);
    }
  };
  if (!FINAL_RUN_STATUSES.has(run.status)) await visit(own, 1);
  return { children: own.map((c) => ({ id: c.id, status: c.status, subtask: c.subtask })), childQuestions };
}

/**
 * The run a nested answer goes to: `runId` itself when it is `root` or one of its descendants in
 * the caller's tenant. Another tenant's run is 404; a run outside the tree is 400.
 */
export async function descendantRun(context: Pick<HandlerContext, "deps" | "principal">, root: Run, runId: string | undefined): Promise<Run> {
  if (runId === undefined || runId === root.id) return root;
  const target = await tenantRun(context, runId);
  let parent = target.parent;
  for (let depth = 0; parent && depth < MAX_DEPTH; depth++) {
    if (parent.runId === root.id) return target;
    parent = (await context.deps.store.get(parent.runId))?.parent;
  }
  throw new ApiError("INVALID_INPUT", `body.runId: run ${runId} is not a child run of ${root.id}; expected the runId of one of its questions (questions[].runId of GET /v1/tasks/${root.id})`, {
    i18n: { key: "api.not-a-child-run", params: { runId, parentId: root.id } },
  });
}
