import type { ModelMessage } from "ai";
import type { AgentModel, Decision, TurnContext } from "../agents/index.js";
import type { ToolRegistry } from "../tools/index.js";
import { appendMalformedCall, appendRead, buildAgentPrompt } from "./agent-prompt.js";
import { completeTurn, type TurnAnswer } from "./complete-turn.js";
import type { LlmEndpoint } from "./llm-endpoint.js";
import { splitReasoning, unfence } from "./reasoning.js";
import { counterIf, loadTokenCounter, type TokenCounter } from "./count-tokens.js";
import { offeredTools, withReadResult, type OfferedTools } from "./offered-tools.js";
import { checkPromptBudget, promptBudget, promptBytes, promptTokens as countPrompt } from "./prompt-size.js";
import { READ_RESULT, ResultReferences } from "./result-references.js";
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

/** What one turn's prompt was built with: the tokenizer and the values given by reference. */
interface Turn {
  readonly count: TokenCounter | undefined;
  readonly references: ResultReferences;
}

/** Most read_result calls answered within one turn. */
const MAX_READS = 8;

type Interpreted =
  | { readonly type: "decision"; readonly decision: Decision }
  | { readonly type: "read"; readonly input: unknown }
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
      const outputs = [...Object.values(context.dependencies).map((r) => r.output), ...context.history.map((t) => (t.result.status === "success" ? t.result.output : null))];
      const [{ ai }, count] = await Promise.all([endpoint.sdk(), counterIf(ResultReferences.needsCounting(outputs))]);
      const references = new ResultReferences(count);
      const allowed = offeredTools(context.agent, options.tools, ai);
      const { system, messages } = buildAgentPrompt(context, allowed, (handle, value) => references.shrink(handle, value), () => references.size);
      const offered = references.size > 0 ? withReadResult(allowed, ai) : allowed;
      const turn: Turn = { count, references };
      const cacheKey =
        options.cache && endpoint.settings.temperature === 0
          ? responseCacheKey({ modelName, system, messages, tools: Object.keys(offered.toolSet) })
          : undefined;
      const repairs = Math.min(maxRepairs, Math.max(0, context.agent.maxSteps - context.history.length - 1));
      const answer = () => decideWithRepairs(options, modelName, context, system, messages, offered, repairs, turn);
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
  turn: Turn,
): Promise<Decision> {
  let usage = NO_USAGE;
  let reads = 0;
  for (let attempt = 0; ; attempt++) {
    const answer = await ask(options, modelName, context, system, messages, offered, turn);
    usage = addUsage(usage, answer.usage);
    let outcome = interpret(answer, offered, turn.references);
    if (outcome.type === "read" && reads < MAX_READS) {
      // A read of a value given by reference is answered here, from this turn's data: it is
      // not a tool call (nothing outside is touched), and the final decision is what is journaled.
      const read = turn.references.read(outcome.input);
      appendRead(messages, READ_RESULT, outcome.input, read.ok ? read.slice : { error: read.problem }, reads++);
      attempt--;
      continue;
    }
    if (outcome.type === "read") outcome = { type: "malformed", call: undefined, problem: `You read ${MAX_READS} slices in this turn; call a tool or give your final answer now.` };
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
  turn: Turn,
): Promise<TurnAnswer> {
  const where = { agent: context.agent.name, subtaskId: context.subtask.id };
  // Counted before sending: a prompt the model cannot take is refused here, not by the provider.
  // Its bytes bound its tokens: only a prompt past its budget in bytes is tokenized.
  const parts = { system, messages, tools: offered.definitions };
  const bytes = promptBytes(parts);
  const promptTokens = bytes <= promptBudget(options.endpoint.settings) ? undefined : countPrompt(turn.count ?? (await loadTokenCounter()), parts);
  if (promptTokens !== undefined) checkPromptBudget(`the ${context.agent.name} agent's turn ${context.history.length + 1} (subtask ${context.subtask.id})`, promptTokens, options.endpoint.settings);
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
  options.onUsage?.({ ...answer.usage, model: modelName, purpose: "decide", agent: context.agent.name, ...(promptTokens === undefined ? {} : { promptTokens }) });
  return answer;
}

function interpret(answer: TurnAnswer, offered: OfferedTools, references: ResultReferences): Interpreted {
  // One call per turn: the engine journals and guards each call before the model sees its
  // result. Further calls in the same answer are dropped; the model can make them next turn.
  const [call] = answer.calls;
  if (call?.toolName === READ_RESULT && references.size > 0) return { type: "read", input: call.input };
  if (call) {
    const input = call.input;
    if (typeof input === "string") {
      const shown = input.length > 200 ? `${input.slice(0, 200)}…` : input;
      return { type: "malformed", call, problem: `error: the arguments of ${call.toolName} are not valid JSON (${shown}). Call it again with a JSON object that matches its schema.` };
    }
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return { type: "malformed", call, problem: `error: the arguments of ${call.toolName} must be a JSON object. Call it again with an object that matches its schema.` };
    }
    const resolved = references.resolve(input);
    if (!resolved.ok) return { type: "malformed", call, problem: resolved.problem };
    return { type: "decision", decision: { type: "call", tool: offered.fromFunction(call.toolName), input: resolved.value as Record<string, unknown> } };
  }
  const { answer: text, reasoning } = splitReasoning(answer.text);
  if (text === "") return { type: "malformed", call: undefined, problem: "Your reply was empty. Call a tool, or give your final result as text." };
  const thought = [answer.reasoning, reasoning].filter((r) => r !== undefined && r !== "").join("\n\n");
  const output = references.resolve(finalOutput(text));
  if (!output.ok) return { type: "malformed", call: undefined, problem: output.problem };
  return { type: "decision", decision: { type: "finish", output: output.value, ...(thought === "" ? {} : { reasoning: thought }) } };
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
