import type { ModelMessage } from "ai";
import type { AgentRegistry } from "../agents/index.js";
import { CsAgentsError, formatZodIssues, parseTask, PlanningError, PlanValidationError, validatePlan, type Plan, type Task } from "../core/index.js";
import { detectLanguage, type Planner } from "../planner/index.js";
import type { ToolRegistry } from "../tools/index.js";
import type { LlmEndpoint } from "./llm-endpoint.js";
import { loadTokenCounter } from "./count-tokens.js";
import { LlmError } from "./llm-error.js";
import { checkPromptBudget, promptBudget, promptBytes, promptTokens } from "./prompt-size.js";
import { checkPlanTools, LlmPlanSchema, planSystemPrompt, planUserPrompt, type LlmPlan } from "./plan-prompt.js";
import { splitReasoning, unfence } from "./reasoning.js";
import { addUsage, fromSdkUsage, NO_USAGE, type TokenUsage, type UsageListener } from "./usage.js";

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

/** The tokens of one planning, across its requests. */
interface Spent {
  usage: TokenUsage;
}

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
    model: modelName,
    async plan(task, planOptions = {}) {
      const parsed = parseTask(task);
      const stop = planOptions.signal;
      const system = planSystemPrompt(options.agents, options.tools, parsed);
      const messages: ModelMessage[] = [{ role: "user", content: planUserPrompt(parsed) }];
      const spent: Spent = { usage: NO_USAGE };
      const withUsage = (plan: Plan): Plan => (spent.usage.totalTokens > 0 || spent.usage.inputTokens > 0 ? { ...plan, usage: spent.usage } : plan);
      const first = await attempt(options, modelName, system, messages, parsed, `llm:${modelName}`, spent, stop);
      if (first.ok) return withUsage(first.plan);
      let reason = first.reason;
      if (first.text !== undefined) {
        messages.push({ role: "assistant", content: first.text });
        messages.push({ role: "user", content: `That plan is invalid: ${first.reason}\nReply with the corrected plan: one JSON object and nothing else.` });
        const second = await attempt(options, modelName, system, messages, parsed, `llm:${modelName}+repair`, spent, stop);
        if (second.ok) return withUsage(second.plan);
        reason = `${first.reason}; after the repair round: ${second.reason}`;
      }
      const why = `the LLM planner (${modelName}) gave no valid plan: ${reason}`;
      if (!options.fallback) throw new PlanningError(why);
      try {
        return withUsage({ ...(await options.fallback.plan(parsed)), note: why });
      } catch (error) {
        if (!(error instanceof PlanningError)) throw error;
        // The built-in planner's advice to configure an LLM planner does not apply: one is.
        const builtIn = error.message.replace(/,? or configure an LLM planner\.?/, ".");
        throw new PlanningError(`${why}. The built-in planner could not plan it either: ${builtIn}`, { cause: error });
      }
    },
    async decompose(task) {
      return [...(await planner.plan(task)).subtasks];
    },
  };
  return planner;
}

/** One request and the checks of its answer; an endpoint failure is a reason, not a throw. */
async function attempt(options: LlmPlannerOptions, modelName: string, system: string, messages: readonly ModelMessage[], task: Task, source: string, spent: Spent, stop: AbortSignal | undefined): Promise<Attempt> {
  let answer: Answer;
  try {
    answer = await ask(options.endpoint, modelName, system, messages, stop);
  } catch (error) {
    // Only the endpoint's failures lead to the fallback; a budget stop must stop the run.
    if (error instanceof LlmError) return { ok: false, reason: `${error.code}: ${error.message}`, text: undefined };
    throw error;
  }
  spent.usage = addUsage(spent.usage, answer.usage);
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

async function ask(endpoint: LlmEndpoint, modelName: string, system: string, messages: readonly ModelMessage[], stop: AbortSignal | undefined): Promise<Answer> {
  // Counted before sending (its bytes bound its tokens; only a large prompt is tokenized).
  const parts = { system, messages, tools: [] };
  if (promptBytes(parts) > promptBudget(endpoint.settings)) checkPromptBudget("the planner's request", promptTokens(await loadTokenCounter(), parts), endpoint.settings);
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
      return { plan: readPlan(result.text), text: result.text, usage: fromSdkUsage(result.usage) };
    } catch (error) {
      // Not JSON to the SDK (a reasoning block, fences, prose): read it here; what is still
      // not a plan is an answer to repair, not an endpoint failure.
      if (ai.NoObjectGeneratedError.isInstance(error)) return { plan: readPlan(error.text ?? ""), text: error.text ?? "", usage: fromSdkUsage(error.usage) };
      throw error;
    }
  }, stop);
}

/** The plan in an answer, past reasoning blocks (kept out) and ```json fences. */
function readPlan(text: string): LlmPlan | undefined {
  try {
    const parsed = LlmPlanSchema.safeParse(JSON.parse(unfence(splitReasoning(text).answer)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Says precisely what is wrong with an answer that is not a plan, for the repair round. */
function describeBadJson(raw: string): string {
  const text = splitReasoning(raw).answer;
  let value: unknown;
  try {
    value = JSON.parse(unfence(text));
  } catch {
    return `the answer is not JSON: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
  }
  const parsed = LlmPlanSchema.safeParse(value);
  return parsed.success ? "the answer could not be read as a plan" : `the answer does not match the plan schema: ${formatZodIssues(parsed.error.issues)}`;
}
