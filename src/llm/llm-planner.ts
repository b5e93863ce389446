import type { ModelMessage } from "ai";
import type { AgentRegistry } from "../agents/index.js";
import { CsAgentsError, formatZodIssues, parseTask, PlanningError, PlanValidationError, validatePlan, type Plan, type Task } from "../core/index.js";
import { detectLanguage, type Planner } from "../planner/index.js";
import type { ToolRegistry } from "../tools/index.js";
import type { LlmEndpoint } from "./llm-endpoint.js";
import { LlmError } from "./llm-error.js";
import { checkPlanTools, LlmPlanSchema, planSystemPrompt, planUserPrompt, type LlmPlan } from "./plan-prompt.js";
import { fromSdkUsage, type TokenUsage, type UsageListener } from "./usage.js";

export interface LlmPlannerOptions {
  readonly endpoint: LlmEndpoint;
  readonly agents: AgentRegistry;
  readonly tools: ToolRegistry;
  /** Tried when the model gives no valid plan after the repair round (the built-in TaskPlanner). */
  readonly fallback?: Planner;
  /** Default: the endpoint's `model`. */
  readonly modelName?: string;
  readonly onUsage?: UsageListener;
}

interface Answer {
  readonly plan: LlmPlan | undefined;
  readonly text: string;
  readonly usage: TokenUsage;
}

type Attempt = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly reason: string; readonly text: string | undefined };

/**
 * A planner that asks the model for the plan as structured output: JSON mode, checked against
 * `LlmPlanSchema` (derived from `PlanSchema`, sent in the prompt with the agents and their
 * tools), then validated like any plan (no cycles, known agents, at most 20 subtasks, each
 * tool allowed to its agent). An invalid plan gets one repair round with the problems fed
 * back; then the fallback planner is tried.
 * `plan.source` says who planned: `llm:<model>`, `llm:<model>+repair`, or the fallback's own
 * (`template:<name>`).
 * @throws PlanningError (PLANNING_FAILED) with both reasons when the model and the fallback
 *   fail; InvalidInputError (INVALID_INPUT) for an empty task; BUDGET_EXCEEDED from `onUsage`.
 */
export function createLlmPlanner(options: LlmPlannerOptions): Planner {
  const modelName = options.modelName ?? options.endpoint.settings.model;
  const planner: Planner = {
    async plan(task) {
      const parsed = parseTask(task);
      const system = planSystemPrompt(options.agents, options.tools);
      const messages: ModelMessage[] = [{ role: "user", content: planUserPrompt(parsed) }];
      const first = await attempt(options, modelName, system, messages, parsed, `llm:${modelName}`);
      if (first.ok) return first.plan;
      let reason = first.reason;
      if (first.text !== undefined) {
        messages.push({ role: "assistant", content: first.text });
        messages.push({ role: "user", content: `That plan is invalid: ${first.reason}\nReply with the corrected plan: one JSON object and nothing else.` });
        const second = await attempt(options, modelName, system, messages, parsed, `llm:${modelName}+repair`);
        if (second.ok) return second.plan;
        reason = `${first.reason}; after the repair round: ${second.reason}`;
      }
      if (!options.fallback) throw new PlanningError(`the LLM planner (${modelName}) gave no valid plan: ${reason}`);
      try {
        return await options.fallback.plan(parsed);
      } catch (error) {
        if (!(error instanceof PlanningError)) throw error;
        throw new PlanningError(`the LLM planner (${modelName}) gave no valid plan: ${reason}. The built-in planner could not plan it either: ${error.message}`, { cause: error });
      }
    },
    async decompose(task) {
      return [...(await planner.plan(task)).subtasks];
    },
  };
  return planner;
}

/** One request and the checks of its answer; an endpoint failure is a reason, not a throw. */
async function attempt(options: LlmPlannerOptions, modelName: string, system: string, messages: readonly ModelMessage[], task: Task, source: string): Promise<Attempt> {
  let answer: Answer;
  try {
    answer = await ask(options.endpoint, modelName, system, messages);
  } catch (error) {
    // Only the endpoint's failures lead to the fallback; a budget stop must stop the run.
    if (error instanceof LlmError) return { ok: false, reason: `${error.code}: ${error.message}`, text: undefined };
    throw error;
  }
  options.onUsage?.({ ...answer.usage, model: modelName, purpose: "plan" });
  if (!answer.plan) return { ok: false, reason: describeBadJson(answer.text), text: answer.text };
  const plan: Plan = { source, language: detectLanguage(task.description), params: task.input ?? {}, subtasks: answer.plan.subtasks };
  try {
    const valid = validatePlan(plan, options.agents.names());
    const toolProblems = checkPlanTools(valid, options.agents);
    if (toolProblems.length > 0) throw new PlanValidationError(toolProblems);
    return { ok: true, plan: valid };
  } catch (error) {
    if (!(error instanceof CsAgentsError)) throw error;
    const issues = error instanceof PlanValidationError ? error.issues.join("; ") : error.message;
    return { ok: false, reason: issues, text: answer.text };
  }
}

function ask(endpoint: LlmEndpoint, modelName: string, system: string, messages: readonly ModelMessage[]): Promise<Answer> {
  return endpoint.request(async ({ ai, languageModel }, abortSignal) => {
    try {
      const result = await ai.generateText({
        model: languageModel(modelName),
        system,
        messages: [...messages],
        // JSON mode (`response_format: json_object`), not the endpoint's JSON-Schema mode:
        // DeepSeek, Qwen, GLM and Ollama all take it, and strict schemas cannot say `input`
        // (an open object). The schema is in the prompt and is checked here, with zod.
        output: ai.Output.json({ name: "plan" }),
        temperature: endpoint.settings.temperature,
        maxOutputTokens: endpoint.settings.maxOutputTokens,
        maxRetries: 0,
        abortSignal,
      });
      const parsed = LlmPlanSchema.safeParse(result.output);
      return { plan: parsed.success ? parsed.data : undefined, text: result.text, usage: fromSdkUsage(result.usage) };
    } catch (error) {
      // Not the plan's schema (or not JSON): an answer to repair, not an endpoint failure.
      if (ai.NoObjectGeneratedError.isInstance(error)) return { plan: undefined, text: error.text ?? "", usage: fromSdkUsage(error.usage) };
      throw error;
    }
  });
}

/** Says precisely what is wrong with an answer that is not a plan, for the repair round. */
function describeBadJson(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(/^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(text.trim())?.[1] ?? text);
  } catch {
    return `the answer is not JSON: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
  }
  const parsed = LlmPlanSchema.safeParse(value);
  return parsed.success ? "the answer could not be read as a plan" : `the answer does not match the plan schema: ${formatZodIssues(parsed.error.issues)}`;
}
