import type { ModelMessage } from "ai";
import type { AgentModel, Decision, TurnContext } from "../agents/index.js";
import type { ToolRegistry } from "../tools/index.js";
import { appendMalformedCall, buildAgentPrompt } from "./agent-prompt.js";
import { completeTurn, type TurnAnswer } from "./complete-turn.js";
import type { LlmEndpoint } from "./llm-endpoint.js";
import { splitReasoning, unfence } from "./reasoning.js";
import { offeredTools, type OfferedTools } from "./offered-tools.js";
import { responseCacheKey, type ModelResponseCache } from "./response-cache.js";
import { addUsage, NO_USAGE, type UsageListener } from "./usage.js";

export interface OpenAICompatibleModelOptions {
  readonly endpoint: LlmEndpoint;
  /** Where the offered tools' descriptions and schemas come from. */
  readonly tools: ToolRegistry;
  /** Default: the endpoint's `model`. */
  readonly modelName?: string;
  /**
   * Stream answers (SSE) and hand the text to `onText` as it arrives. Default: the endpoint's
   * `stream` setting (on); an endpoint that does not stream is asked unstreamed.
   */
  readonly stream?: boolean;
  readonly onText?: (delta: string, where: { readonly agent: string; readonly subtaskId: string }) => void;
  /** Told the tokens of every request; a budget wrapper throws from here to stop the run. */
  readonly onUsage?: UsageListener;
  /** Consulted only at temperature 0. */
  readonly cache?: ModelResponseCache;
  /** Unusable tool calls sent back for correction within one turn (also bounded by the agent's maxSteps). Default 2. */
  readonly maxRepairs?: number;
}

type Interpreted =
  | { readonly type: "decision"; readonly decision: Decision }
  | { readonly type: "malformed"; readonly call: { toolName: string; input: unknown } | undefined; readonly problem: string };

/**
 * An agent model backed by an OpenAI-compatible endpoint. Each turn sends the agent's
 * instructions, the assignment, the dependencies' outputs and the subtask's calls so far (tool
 * results as delimited data), offers only the agent's allowed tools, and maps the answer: a
 * tool call → `call`, text → `finish` (JSON text is parsed), a call whose arguments are not a
 * JSON object → sent back to the model as an error to fix (arguments that break the tool's
 * schema are left to the executor, whose TOOL_INPUT_INVALID the model sees next turn).
 * Not deterministic: the engine journals every decision and replays it without a request.
 * @throws LlmError from `decide` when the endpoint fails after retries (the subtask fails);
 *   whatever `onUsage` throws (BUDGET_EXCEEDED).
 */
export function createOpenAICompatibleModel(options: OpenAICompatibleModelOptions): AgentModel {
  const { endpoint } = options;
  const modelName = options.modelName ?? endpoint.settings.model;
  const maxRepairs = options.maxRepairs ?? 2;
  return {
    name: modelName,
    deterministic: false,
    async decide(context) {
      const offered = offeredTools(context.agent, options.tools, (await endpoint.sdk()).ai);
      const { system, messages } = buildAgentPrompt(context, offered);
      const cacheKey =
        options.cache && endpoint.settings.temperature === 0
          ? responseCacheKey({ modelName, system, messages, tools: Object.keys(offered.toolSet) })
          : undefined;
      const repairs = Math.min(maxRepairs, Math.max(0, context.agent.maxSteps - context.history.length - 1));
      const answer = () => decideWithRepairs(options, modelName, context, system, messages, offered, repairs);
      if (!cacheKey || !options.cache) return answer();
      try {
        const { decision, cached } = await options.cache.lookup(cacheKey, async () => {
          const decision = await answer();
          // A model that gave no usable answer is not kept: the next identical request asks again.
          if (decision.type === "fail") throw new UnusableAnswer(decision);
          return decision;
        });
        // A cached answer cost nothing this time.
        return cached ? withoutUsage(decision) : decision;
      } catch (error) {
        if (error instanceof UnusableAnswer) return error.decision;
        throw error;
      }
    },
  };
}

/** Asks, and gives a malformed answer back to the model up to `repairs` times. */
async function decideWithRepairs(
  options: OpenAICompatibleModelOptions,
  modelName: string,
  context: TurnContext,
  system: string,
  messages: ModelMessage[],
  offered: OfferedTools,
  repairs: number,
): Promise<Decision> {
  let usage = NO_USAGE;
  for (let attempt = 0; ; attempt++) {
    const answer = await ask(options, modelName, context, system, messages, offered);
    usage = addUsage(usage, answer.usage);
    const outcome = interpret(answer, offered);
    // The usage travels with the decision into the journal: a resumed run keeps its count.
    if (outcome.type === "decision") return { ...outcome.decision, usage };
    if (attempt >= repairs) {
      const message = `model ${modelName} gave no usable answer after ${attempt + 1} tries: ${outcome.problem}`;
      return { type: "fail", error: { code: "LLM_BAD_TOOL_CALL", message }, usage };
    }
    if (outcome.call) appendMalformedCall(messages, outcome.call, outcome.problem, attempt);
    else messages.push({ role: "user", content: outcome.problem });
  }
}

class UnusableAnswer extends Error {
  constructor(readonly decision: Decision) {
    super("the model gave no usable answer");
  }
}

async function ask(
  options: OpenAICompatibleModelOptions,
  modelName: string,
  context: TurnContext,
  system: string,
  messages: readonly ModelMessage[],
  offered: OfferedTools,
): Promise<TurnAnswer> {
  const where = { agent: context.agent.name, subtaskId: context.subtask.id };
  const onText = options.onText;
  // The engine's listener (model.delta events) and the option's, when both are there.
  const listeners = [context.onText, onText && ((delta: string) => onText(delta, where))].filter((f): f is (delta: string) => void => f !== undefined);
  const toText = listeners.length > 0 ? (delta: string) => listeners.forEach((listen) => listen(delta)) : undefined;
  const answer = await completeTurn(options.endpoint, {
    ...(context.signal ? { stop: context.signal } : {}),
    modelName,
    system,
    messages,
    toolSet: offered.toolSet,
    stream: options.stream ?? options.endpoint.settings.stream ?? true,
    ...(toText ? { onText: toText } : {}),
  });
  options.onUsage?.({ ...answer.usage, model: modelName, purpose: "decide", agent: context.agent.name });
  return answer;
}

function interpret(answer: TurnAnswer, offered: OfferedTools): Interpreted {
  // One call per turn: the engine journals and guards each call before the model sees its
  // result. Further calls in the same answer are dropped; the model can make them next turn.
  const [call] = answer.calls;
  if (call) {
    const input = call.input;
    if (typeof input === "string") {
      const shown = input.length > 200 ? `${input.slice(0, 200)}…` : input;
      return { type: "malformed", call, problem: `error: the arguments of ${call.toolName} are not valid JSON (${shown}). Call it again with a JSON object that matches its schema.` };
    }
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return { type: "malformed", call, problem: `error: the arguments of ${call.toolName} must be a JSON object. Call it again with an object that matches its schema.` };
    }
    return { type: "decision", decision: { type: "call", tool: offered.fromFunction(call.toolName), input: input as Record<string, unknown> } };
  }
  const { answer: text, reasoning } = splitReasoning(answer.text);
  if (text === "") return { type: "malformed", call: undefined, problem: "Your reply was empty. Call a tool, or give your final result as text." };
  const thought = [answer.reasoning, reasoning].filter((r) => r !== undefined && r !== "").join("\n\n");
  return { type: "decision", decision: { type: "finish", output: finalOutput(text), ...(thought === "" ? {} : { reasoning: thought }) } };
}

/** A final answer that is a JSON object or array is handed on as data; anything else as text. */
function finalOutput(text: string): unknown {
  const unfenced = unfence(text);
  if (!/^[[{]/.test(unfenced)) return text;
  try {
    return JSON.parse(unfenced) as unknown;
  } catch {
    return text;
  }
}

function withoutUsage(decision: Decision): Decision {
  const { usage: _spent, ...rest } = decision;
  return rest;
}
