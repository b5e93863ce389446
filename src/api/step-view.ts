import type { z } from "zod";
import { FINAL_RUN_STATUSES } from "../core/index.js";
import type { Run, Step } from "../core/index.js";
import { approvalId } from "./run-view.js";
import type { RunBudgetSchema, RunUsageSchema, StepListSchema, StepViewSchema } from "./schemas.js";

type StepView = z.infer<typeof StepViewSchema>;
type RunUsage = z.infer<typeof RunUsageSchema>;
export type RunBudgetView = z.infer<typeof RunBudgetSchema>;

/** Price per million input and output tokens, by model name. */
export type ModelPrices = Readonly<Record<string, { readonly inputPerMillion: number; readonly outputPerMillion: number }>>;

export const NO_BUDGET: RunBudgetView = { maxTokens: 0, maxToolCalls: 0, maxMs: 0, maxCost: 0 };

interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
}

/**
 * What GET /v1/tasks/{id}/steps shows: every journaled step with what it was given and returned,
 * and the run's use of its budgets. `cachedTools` names the tools with a cache: their successful
 * calls that made no attempt were answered from it.
 */
export function stepList(run: Run, steps: readonly Step[], options: { cachedTools: ReadonlySet<string>; prices: ModelPrices; budget: RunBudgetView; now: Date }): z.infer<typeof StepListSchema> {
  const items = steps.map((step) => stepView(run.id, step, options.cachedTools, options.prices));
  const tokens = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  let cost = 0;
  for (const item of items) {
    if (item.usage) {
      tokens.inputTokens += item.usage.inputTokens;
      tokens.outputTokens += item.usage.outputTokens;
      tokens.totalTokens += item.usage.totalTokens;
    }
    cost += item.cost ?? 0;
  }
  const end = FINAL_RUN_STATUSES.has(run.status) ? run.updatedAt : options.now;
  const usage: RunUsage = { tokens, toolCalls: items.filter((s) => s.kind === "tool_call").length, cost, elapsedMs: Math.max(0, end.getTime() - run.createdAt.getTime()) };
  return { items, usage, budget: options.budget };
}

function stepView(runId: string, step: Step, cachedTools: ReadonlySet<string>, prices: ModelPrices): StepView {
  const input = step.input as { tool?: unknown; model?: unknown } | undefined;
  const tool = typeof input?.tool === "string" ? input.tool : null;
  const model = step.kind === "model_call" && typeof input?.model === "string" ? input.model : null;
  const usage = usageOf(step);
  const price = model ? prices[model] : undefined;
  return {
    key: step.key,
    kind: step.kind,
    status: step.status,
    subtaskId: /^subtask\/([^/]+)\//.exec(step.key)?.[1] ?? null,
    tool,
    model,
    input: step.input ?? null,
    output: outputOf(step),
    error: step.error ?? null,
    attempts: step.attempts ?? null,
    // The executor makes no attempt when the cache (or a call in flight with the same key) answers.
    cached: step.kind === "tool_call" && step.status === "succeeded" && step.attempts === 0 && tool !== null && cachedTools.has(tool),
    usage,
    cost: usage && price ? (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000 : null,
    startedAt: step.startedAt.toISOString(),
    finishedAt: step.finishedAt?.toISOString() ?? null,
    durationMs: step.finishedAt ? step.finishedAt.getTime() - step.startedAt.getTime() : null,
    approvalId: step.status === "ambiguous" ? approvalId(runId, step.key) : null,
  };
}

/** A subtask's files are listed by name: their content is a download, not part of the step. */
function outputOf(step: Step): unknown {
  const output = step.output as { artifacts?: unknown } | null | undefined;
  if (step.kind !== "subtask" || !output || !Array.isArray(output.artifacts)) return output ?? null;
  return { ...output, artifacts: output.artifacts.map((a: { name?: unknown }) => a.name) };
}

function usageOf(step: Step): Usage | null {
  if (step.kind !== "model_call" && step.kind !== "plan") return null;
  const usage = (step.output as { usage?: Partial<Usage> } | null | undefined)?.usage;
  if (!usage || typeof usage.inputTokens !== "number" || typeof usage.outputTokens !== "number") return null;
  return { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: typeof usage.totalTokens === "number" ? usage.totalTokens : usage.inputTokens + usage.outputTokens };
}
