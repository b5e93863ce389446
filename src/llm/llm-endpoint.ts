import type * as Ai from "ai";
import type { LanguageModel } from "ai";
import type { LlmError } from "./llm-error.js";
import { checkLlmSettings, type LlmSettings } from "./llm-settings.js";
import { streamTolerantFetch } from "./stream-fallback.js";
import { withRetries } from "./with-retries.js";

/** The AI SDK, loaded on first use, and the endpoint's models. */
export interface LlmSdk {
  readonly ai: typeof Ai;
  /** The SDK model for a model name served by this endpoint. */
  languageModel(modelName: string): LanguageModel;
}

/** One configured endpoint: the SDK it is reached through and the way every request is made. */
export interface LlmEndpoint {
  readonly settings: LlmSettings;
  /** The SDK, loaded once (offline processes never load it). */
  sdk(): Promise<LlmSdk>;
  /**
   * True while answers should be streamed: the setting (default on), until the endpoint shows
   * it does not stream (it answered a streamed request unstreamed, or refused `stream`).
   */
  streams(): boolean;
  /** Records that the endpoint does not stream: this process asks it unstreamed from now on. */
  noStreaming(): void;
  /**
   * Makes one request with the per-attempt timeout and the retries (honouring `Retry-After`).
   * @throws LlmError (LLM_RATE_LIMITED, LLM_UNAVAILABLE, LLM_TIMEOUT, LLM_REQUEST_FAILED,
   *   LLM_BAD_RESPONSE), its message free of the API key; `stop`'s reason once `stop` aborts
   *   (the request in flight is aborted and no retry starts).
   */
  request<T>(call: (sdk: LlmSdk, signal: AbortSignal) => Promise<T>, stop?: AbortSignal): Promise<T>;
}

export interface LlmEndpointDeps {
  /** Injectable for tests: how retries wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (error: LlmError, delayMs: number, attempt: number) => void;
  /** Longest `Retry-After` waited for. Default 60 s. */
  readonly maxRetryDelayMs?: number;
  /** Injectable for tests. Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

/**
 * Connects to an OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen/DashScope, GLM, vLLM,
 * Ollama) through the Vercel AI SDK. Nothing is loaded or sent until a model or planner asks:
 * the SDK costs ~0.2 s to load, which a CLI that runs offline should not pay.
 * @throws CsAgentsError (INVALID_OPTIONS) when the settings are wrong.
 */
export function createLlmEndpoint(settings: LlmSettings, deps: LlmEndpointDeps = {}): LlmEndpoint {
  checkLlmSettings(settings);
  let streaming = settings.stream ?? true;
  const noStreaming = () => {
    streaming = false;
  };
  let loading: Promise<LlmSdk> | undefined;
  const sdk = () =>
    (loading ??= Promise.all([import("ai"), import("@ai-sdk/openai-compatible")]).then(([ai, compatible]) => {
      const provider = compatible.createOpenAICompatible({
        name: "cs-agents",
        baseURL: settings.baseUrl.replace(/\/+$/, ""),
        ...(settings.apiKey === "" ? {} : { apiKey: settings.apiKey }),
        includeUsage: true,
        fetch: streamTolerantFetch(noStreaming, deps.fetch),
      });
      return { ai, languageModel: (modelName: string) => provider.chatModel(modelName) };
    }));
  const policy = {
    maxRetries: settings.maxRetries,
    baseDelayMs: 500,
    maxDelayMs: deps.maxRetryDelayMs ?? 60_000,
    timeoutMs: settings.timeoutMs,
    secret: settings.apiKey,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.onRetry ? { onRetry: deps.onRetry } : {}),
  };
  return {
    settings,
    sdk,
    streams: () => streaming,
    noStreaming,
    // The SDK's own retries are off (maxRetries: 0 at each call): ours are testable, capped,
    // and put a fresh timeout on every attempt.
    request: async (call, stop) => {
      const loaded = await sdk();
      return withRetries(policy, (signal) => call(loaded, signal), stop);
    },
  };
}
