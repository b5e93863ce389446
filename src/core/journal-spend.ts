import type { Step } from "./run.js";

/** Tokens as a journaled plan or model decision carries them. */
export interface SpentTokens {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** Input tokens the provider read from its prompt cache, when it reported them. */
  readonly cachedInputTokens?: number;
}

/** What a run's journal says it spent, its finished child runs' spend included. */
export interface JournalSpend {
  readonly toolCalls: number;
  readonly modelRequests: number;
  readonly tokens: SpentTokens;
  readonly cost: number;
}

export interface JournalSpendOptions {
  /**
   * False when a replay counts the tool calls itself (a deterministic model is asked again for
   * each journaled decision). Default true.
   */
  readonly countToolCalls?: boolean;
  /** What one request's tokens of `model` cost; without it only finished children bring a cost. */
  readonly price?: (model: string, usage: SpentTokens) => number;
}

const NOTHING: SpentTokens = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/**
 * The one reader of a journal's spend: its tool calls, the tokens (and priced cost) of its
 * recorded plan and model decisions (each carries the usage of the requests that made it), and
 * what its finished children recorded they spent, their own children's included.
 */
export function journalSpend(steps: readonly Step[], options: JournalSpendOptions = {}): JournalSpend {
  const countToolCalls = options.countToolCalls ?? true;
  let tokens = NOTHING;
  let modelRequests = 0;
  let toolCalls = 0;
  let cost = 0;
  const request = (usage: SpentTokens | undefined, model: string): void => {
    if (!usage) return;
    tokens = addTokens(tokens, usage);
    modelRequests++;
    cost += options.price?.(model, usage) ?? 0;
  };
  for (const step of steps) {
    if (step.kind === "tool_call" && countToolCalls) toolCalls++;
    if (step.kind === "child") {
      const spent = (step.output as { spent?: { toolCalls?: number; tokens?: number; cost?: number } } | undefined)?.spent;
      toolCalls += spent?.toolCalls ?? 0;
      tokens = addTokens(tokens, { ...NOTHING, totalTokens: spent?.tokens ?? 0 });
      cost += spent?.cost ?? 0;
    }
    if (step.status !== "succeeded") continue;
    if (step.kind === "plan") {
      // An LLM planner's plan carries the tokens its requests cost; its source names the model.
      const plan = step.output as { usage?: SpentTokens; source?: unknown } | undefined;
      request(plan?.usage, String(plan?.source ?? "").replace(/^llm:|\+repair$/g, ""));
    }
    if (step.kind === "model_call") request((step.output as { usage?: SpentTokens } | undefined)?.usage, String((step.input as { model?: unknown } | undefined)?.model ?? ""));
  }
  return { toolCalls, modelRequests, tokens, cost };
}

function addTokens(a: SpentTokens, b: SpentTokens): SpentTokens {
  const cached = (a.cachedInputTokens ?? 0) + (b.cachedInputTokens ?? 0);
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, totalTokens: a.totalTokens + b.totalTokens, ...(cached > 0 ? { cachedInputTokens: cached } : {}) };
}
