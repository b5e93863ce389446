import type { LanguageModelUsage } from "ai";

/** Tokens one or more model requests consumed. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** Input tokens the provider read from its prompt cache (billed less), when it reports them. */
  readonly cachedInputTokens?: number;
}

/** What a model or planner reports after each request it made. */
export interface UsageReport extends TokenUsage {
  readonly model: string;
  /** `plan` for the planner, `decide` for an agent's turn. */
  readonly purpose: "plan" | "decide";
  readonly agent?: string;
  /** The prompt's tokens as counted before sending (o200k_base), when counted. */
  readonly promptTokens?: number;
}

/** Receives usage reports. It may throw (a budget wrapper does): the throw fails the request's caller. */
export type UsageListener = (report: UsageReport) => void;

export const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** The SDK's usage with missing counts as 0 (some endpoints leave them out). */
export function fromSdkUsage(usage: LanguageModelUsage | undefined): TokenUsage {
  const inputTokens = usage?.inputTokens ?? 0;
  const outputTokens = usage?.outputTokens ?? 0;
  // `prompt_tokens_details.cached_tokens` (OpenAI, DeepSeek, Qwen report it), as the SDK reads it.
  const cached = usage?.inputTokenDetails?.cacheReadTokens ?? usage?.cachedInputTokens;
  return { inputTokens, outputTokens, totalTokens: usage?.totalTokens ?? inputTokens + outputTokens, ...(cached ? { cachedInputTokens: cached } : {}) };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const cached = (a.cachedInputTokens ?? 0) + (b.cachedInputTokens ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    ...(cached > 0 ? { cachedInputTokens: cached } : {}),
  };
}
