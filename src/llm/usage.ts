import type { LanguageModelUsage } from "ai";

/** Tokens one or more model requests consumed. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
}

/** What a model or planner reports after each request it made. */
export interface UsageReport extends TokenUsage {
  readonly model: string;
  /** `plan` for the planner, `decide` for an agent's turn. */
  readonly purpose: "plan" | "decide";
  readonly agent?: string;
}

/** Receives usage reports. It may throw (a budget wrapper does): the throw fails the request's caller. */
export type UsageListener = (report: UsageReport) => void;

export const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** The SDK's usage with missing counts as 0 (some endpoints leave them out). */
export function fromSdkUsage(usage: LanguageModelUsage | undefined): TokenUsage {
  const inputTokens = usage?.inputTokens ?? 0;
  const outputTokens = usage?.outputTokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.totalTokens ?? inputTokens + outputTokens };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, totalTokens: a.totalTokens + b.totalTokens };
}
