import type { ModelMessage, ToolSet } from "ai";
import type { LlmEndpoint } from "./llm-endpoint.js";
import { LlmError } from "./llm-error.js";
import { fromSdkUsage, type TokenUsage } from "./usage.js";

/** A tool call as the model wrote it; `input` is a string when it was not valid JSON. */
export interface RawToolCall {
  readonly toolName: string;
  readonly input: unknown;
  /** True when the SDK could not use it (unparsable arguments or a name not offered). */
  readonly invalid: boolean;
}

/** One model answer, whichever way it came (JSON or a stream). */
export interface TurnAnswer {
  readonly text: string;
  readonly calls: readonly RawToolCall[];
  readonly usage: TokenUsage;
  /** Reasoning the endpoint sent apart from the text (`reasoning_content`), when it did. */
  readonly reasoning?: string;
}

export interface TurnRequest {
  readonly modelName: string;
  readonly system: string;
  readonly messages: readonly ModelMessage[];
  /** Built with the loaded SDK (see offeredTools). */
  readonly toolSet: ToolSet;
  /** Stream the answer; text arrives through `onText` as it is generated. */
  readonly stream: boolean;
  readonly onText?: (delta: string) => void;
  /** The run's stop: aborts the request in flight, and no retry starts after it. */
  readonly stop?: AbortSignal;
}

/**
 * Asks the model once (with the endpoint's timeout and retries) and returns its text, tool calls
 * and token usage. Tools have no `execute`: the SDK stops after the model's answer and the
 * engine makes the call, journaled and guarded.
 * @throws LlmError (see LlmEndpoint.request).
 */
export async function completeTurn(endpoint: LlmEndpoint, request: TurnRequest): Promise<TurnAnswer> {
  const stream = request.stream && endpoint.streams();
  try {
    return await askOnce(endpoint, { ...request, stream });
  } catch (error) {
    // An endpoint that refuses `stream` is asked again unstreamed, and from now on.
    if (!stream || !refusesStreaming(error)) throw error;
    endpoint.noStreaming();
    return askOnce(endpoint, { ...request, stream: false });
  }
}

/** A 400 whose message is about streaming: the server does not stream. */
function refusesStreaming(error: unknown): boolean {
  return error instanceof LlmError && error.code === "LLM_REQUEST_FAILED" && error.status === 400 && /stream/i.test(error.message);
}

function askOnce(endpoint: LlmEndpoint, request: TurnRequest): Promise<TurnAnswer> {
  return endpoint.request(async ({ ai, languageModel }, abortSignal) => {
    const common = {
      model: languageModel(request.modelName),
      system: request.system,
      messages: [...request.messages],
      tools: request.toolSet,
      temperature: endpoint.settings.temperature,
      maxOutputTokens: endpoint.settings.maxOutputTokens,
      maxRetries: 0,
    };
    if (!request.stream) {
      const result = await ai.generateText({ ...common, abortSignal });
      return { text: result.text, calls: result.toolCalls.map(raw), usage: fromSdkUsage(result.usage), ...reasoningOf(result.reasoningText) };
    }
    let failure: unknown;
    const fail = (error: unknown) => {
      if (!isMissingFinishReason(error)) failure ??= error;
    };
    const result = ai.streamText({ ...common, abortSignal, onError: ({ error }) => fail(error) });
    let text = "";
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") {
        text += part.text;
        request.onText?.(part.text);
      } else if (part.type === "error") {
        fail(part.error);
      }
    }
    if (failure !== undefined) throw failure;
    if (abortSignal.aborted) throw abortSignal.reason ?? new LlmError("LLM_TIMEOUT", "the stream was cut off", { retryable: true });
    return { text, calls: (await result.toolCalls).map(raw), usage: fromSdkUsage(await result.usage), ...reasoningOf(await result.reasoningText) };
  }, request.stop);
}

/**
 * Some servers (older vLLM, llama.cpp builds, proxies) end a stream without `finish_reason`;
 * the answer itself is complete, as the same answer unstreamed would be.
 */
function isMissingFinishReason(error: unknown): boolean {
  return error instanceof Error && error.name === "AI_InvalidResponseDataError" && /without a finish reason/i.test(error.message);
}

const reasoningOf = (reasoning: string | undefined) => (reasoning ? { reasoning } : {});

function raw(call: { toolName: string; input: unknown; invalid?: boolean | undefined }): RawToolCall {
  return { toolName: call.toolName, input: call.input, invalid: call.invalid === true };
}
