import { CsAgentsError } from "../core/index.js";

/** How to reach one OpenAI-compatible chat-completions endpoint and how to ask it. */
export interface LlmSettings {
  /** e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1` (Ollama). */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …`; empty for endpoints without auth. Never logged. */
  readonly apiKey: string;
  /** The default model name for agents and the planner. */
  readonly model: string;
  readonly temperature: number;
  readonly maxOutputTokens: number;
  /** Per request attempt. */
  readonly timeoutMs: number;
  /** Retries of 429, 5xx, timeouts and refused connections. */
  readonly maxRetries: number;
  /** Agent name → model name, for agents that should use another model than `model`. */
  readonly agentModels: Readonly<Record<string, string>>;
  /**
   * Keep answers to identical temperature-0 requests this long in the project's tool cache
   * (memory, plus Redis when configured); 0 (default): never reuse an answer.
   */
  readonly responseCacheTtlMs?: number;
  /**
   * Stream agents' answers (SSE) so their text arrives as it is generated. Default true; an
   * endpoint that answers a streamed request unstreamed, or refuses streaming, is then asked
   * unstreamed.
   */
  readonly stream?: boolean;
  /**
   * The model's context window in tokens. Each request's prompt must fit in it with
   * `maxOutputTokens` to spare, or it is refused with PROMPT_TOO_LARGE before it is sent.
   * Default 32,768.
   */
  readonly contextTokens?: number;
}

/** Run budgets; 0 means no limit. */
export interface RunBudget {
  readonly maxTokens: number;
  readonly maxToolCalls: number;
  readonly maxMs: number;
  /** In the unit of `prices` (e.g. USD or CNY); needs a price for the models used. */
  readonly maxCost?: number;
  /** Model name → price per million input and output tokens; unpriced models cost 0. */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
}

export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/** The configuration variables the llm module reads (a slice of `Config`). */
export interface LlmConfig {
  readonly CS_AGENTS_LLM_BASE_URL: string;
  readonly CS_AGENTS_LLM_API_KEY: string;
  readonly CS_AGENTS_LLM_MODEL: string;
  readonly CS_AGENTS_LLM_TEMPERATURE: number;
  readonly CS_AGENTS_LLM_MAX_OUTPUT_TOKENS: number;
  readonly CS_AGENTS_LLM_TIMEOUT_MS: number;
  readonly CS_AGENTS_LLM_MAX_RETRIES: number;
  readonly CS_AGENTS_LLM_AGENT_MODELS: Readonly<Record<string, string>>;
  readonly CS_AGENTS_LLM_RESPONSE_CACHE_TTL_S: number;
  readonly CS_AGENTS_LLM_STREAM?: boolean;
  readonly CS_AGENTS_LLM_CONTEXT_TOKENS?: number;
  readonly CS_AGENTS_RUN_MAX_TOKENS: number;
  readonly CS_AGENTS_RUN_MAX_TOOL_CALLS: number;
  readonly CS_AGENTS_RUN_MAX_MS: number;
  readonly CS_AGENTS_RUN_MAX_COST: number;
  readonly CS_AGENTS_LLM_PRICES: Readonly<Record<string, ModelPrice>>;
}

/** The LLM settings of a configuration, or undefined when no base URL is set (offline mode). */
export function llmSettingsFromConfig(config: LlmConfig): LlmSettings | undefined {
  if (config.CS_AGENTS_LLM_BASE_URL === "") return undefined;
  return checkLlmSettings({
    baseUrl: config.CS_AGENTS_LLM_BASE_URL,
    apiKey: config.CS_AGENTS_LLM_API_KEY,
    model: config.CS_AGENTS_LLM_MODEL,
    temperature: config.CS_AGENTS_LLM_TEMPERATURE,
    maxOutputTokens: config.CS_AGENTS_LLM_MAX_OUTPUT_TOKENS,
    timeoutMs: config.CS_AGENTS_LLM_TIMEOUT_MS,
    maxRetries: config.CS_AGENTS_LLM_MAX_RETRIES,
    agentModels: config.CS_AGENTS_LLM_AGENT_MODELS,
    responseCacheTtlMs: config.CS_AGENTS_LLM_RESPONSE_CACHE_TTL_S * 1_000,
    stream: config.CS_AGENTS_LLM_STREAM ?? true,
    ...(config.CS_AGENTS_LLM_CONTEXT_TOKENS === undefined ? {} : { contextTokens: config.CS_AGENTS_LLM_CONTEXT_TOKENS }),
  });
}

export function runBudgetFromConfig(config: LlmConfig): RunBudget {
  return {
    maxTokens: config.CS_AGENTS_RUN_MAX_TOKENS,
    maxToolCalls: config.CS_AGENTS_RUN_MAX_TOOL_CALLS,
    maxMs: config.CS_AGENTS_RUN_MAX_MS,
    maxCost: config.CS_AGENTS_RUN_MAX_COST,
    prices: config.CS_AGENTS_LLM_PRICES,
  };
}

/** True when any budget is set. */
export const hasBudget = (budget: RunBudget): boolean => budget.maxTokens > 0 || budget.maxToolCalls > 0 || budget.maxMs > 0 || (budget.maxCost ?? 0) > 0;

/** What `usage` of `model` costs at `prices` (0 when the model has no price). */
export function costOf(prices: Readonly<Record<string, ModelPrice>> | undefined, model: string, usage: { readonly inputTokens: number; readonly outputTokens: number }): number {
  const price = prices?.[model];
  return price ? (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000 : 0;
}

/**
 * Checks settings when they are built, so a bad endpoint fails at start, not on the first run.
 * @throws CsAgentsError (INVALID_OPTIONS) naming the setting.
 */
export function checkLlmSettings(settings: LlmSettings): LlmSettings {
  const problems: string[] = [];
  if (!/^https?:\/\/[^\s/]+/i.test(settings.baseUrl)) problems.push(`baseUrl must be an http(s) URL, got "${settings.baseUrl}"`);
  if (settings.model.trim() === "") problems.push("model is required when a base URL is set");
  if (!(settings.temperature >= 0 && settings.temperature <= 2)) problems.push("temperature must be between 0 and 2");
  if (!(Number.isInteger(settings.maxOutputTokens) && settings.maxOutputTokens >= 1)) problems.push("maxOutputTokens must be a whole number >= 1");
  if (!(settings.timeoutMs > 0)) problems.push("timeoutMs must be > 0");
  if (!(Number.isInteger(settings.maxRetries) && settings.maxRetries >= 0)) problems.push("maxRetries must be a whole number >= 0");
  const ttl = settings.responseCacheTtlMs ?? 0;
  if (!(Number.isFinite(ttl) && ttl >= 0)) problems.push("responseCacheTtlMs must be a number of milliseconds >= 0");
  const context = settings.contextTokens;
  if (context !== undefined && !(Number.isInteger(context) && context > settings.maxOutputTokens + 1_000)) {
    problems.push(`contextTokens must be a whole number over maxOutputTokens + 1000 (${settings.maxOutputTokens + 1_000}), got ${context}`);
  }
  if (problems.length > 0) throw new CsAgentsError("INVALID_OPTIONS", `LLM settings: ${problems.join("; ")}`);
  return settings;
}
