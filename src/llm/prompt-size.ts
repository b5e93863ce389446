import type { ModelMessage } from "ai";
import { TOKENS_PER_MESSAGE, utf8Bytes, type TokenCounter } from "./count-tokens.js";
import { LlmError } from "./llm-error.js";

/** A tool as the request offers it: function name, description, JSON Schema of its input. */
export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly parameters: unknown;
}

/** What one request sends, for counting. */
export interface PromptParts {
  readonly system: string;
  readonly messages: readonly ModelMessage[];
  readonly tools: readonly ToolDefinition[];
}

function contentText(content: ModelMessage["content"]): string {
  if (typeof content === "string") return content;
  return content
    .map((part) => {
      switch (part.type) {
        case "text":
          return part.text;
        case "tool-call":
          return `${part.toolName}(${JSON.stringify(part.input)})`;
        case "tool-result":
          return `${part.toolName}: ${"value" in part.output ? (typeof part.output.value === "string" ? part.output.value : JSON.stringify(part.output.value)) : ""}`;
        default:
          return JSON.stringify(part);
      }
    })
    .join("\n");
}

/**
 * The tokens a request's prompt holds: the system prompt, every message with the chat format's
 * overhead, and the offered tools as the request carries them (name, description, schema).
 * Counted with a real tokenizer; providers count within a few percent of it.
 */
export function promptTokens(count: TokenCounter, parts: PromptParts): number {
  return promptSize(count, parts);
}

/** The prompt's UTF-8 bytes, counted the same way: an upper bound of its tokens. */
export function promptBytes(parts: PromptParts): number {
  return promptSize(utf8Bytes, parts);
}

function promptSize(count: TokenCounter, parts: PromptParts): number {
  const messages = parts.messages.reduce((sum, m) => sum + TOKENS_PER_MESSAGE + count(contentText(m.content)), 0);
  const tools = parts.tools.length === 0 ? 0 : count(JSON.stringify(parts.tools.map((t) => ({ type: "function", function: t }))));
  return TOKENS_PER_MESSAGE + count(parts.system) + messages + tools;
}

/** The tokens a prompt may have: the context window less the room kept for the answer. */
export function promptBudget(settings: { readonly contextTokens?: number; readonly maxOutputTokens: number }): number {
  return (settings.contextTokens ?? DEFAULT_CONTEXT_TOKENS) - settings.maxOutputTokens;
}

/** The context window assumed when none is set: what most hosted and self-hosted models take. */
export const DEFAULT_CONTEXT_TOKENS = 32_768;

/**
 * Refuses a prompt over its budget before it is sent, saying which call and by how much.
 * @throws LlmError PROMPT_TOO_LARGE (not retried: the same prompt would be refused again).
 */
export function checkPromptBudget(what: string, tokens: number, settings: { readonly contextTokens?: number; readonly maxOutputTokens: number }): void {
  const budget = promptBudget(settings);
  if (tokens <= budget) return;
  const window = settings.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
  throw new LlmError(
    "PROMPT_TOO_LARGE",
    `the prompt of ${what} has ${tokens} tokens, over its budget of ${budget} (CS_AGENTS_LLM_CONTEXT_TOKENS=${window} less CS_AGENTS_LLM_MAX_OUTPUT_TOKENS=${settings.maxOutputTokens}); ` +
      "use a model with a larger context window and raise CS_AGENTS_LLM_CONTEXT_TOKENS, or give the task less input",
    { retryable: false },
  );
}
