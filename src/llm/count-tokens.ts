import type { Tiktoken } from "js-tiktoken/lite";

/** Counts the tokens of a text. */
export type TokenCounter = (text: string) => number;

let loading: Promise<TokenCounter> | undefined;

/**
 * The o200k_base tokenizer (GPT-4o's; within a few percent of Qwen's, DeepSeek's and GLM's
 * on Chinese and English). Loaded on first use only: its ranks take seconds to build, which a
 * process that never talks to a model should not pay.
 */
export function loadTokenCounter(): Promise<TokenCounter> {
  loading ??= Promise.all([import("js-tiktoken/lite"), import("js-tiktoken/ranks/o200k_base")]).then(([lite, ranks]) => {
    const encoder: Tiktoken = new lite.Tiktoken(ranks.default);
    // Special-token text in data ("<|endoftext|>") is counted as ordinary text, never refused.
    return (text: string) => encoder.encode(text, [], []).length;
  });
  return loading;
}

/** Tokens the chat format adds per message (role, separators), as OpenAI documents it. */
export const TOKENS_PER_MESSAGE = 4;

/**
 * UTF-8 bytes bound tokens from above (a byte-level BPE token holds at least one byte), so a
 * text of at most `limit` bytes is within `limit` tokens without tokenizing it. Tokenizing is
 * slow (the ranks take a second or more to build), so it is done only past this bound.
 */
export const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/** The counter when `needed`, else undefined (nothing loaded). */
export async function counterIf(needed: boolean): Promise<TokenCounter | undefined> {
  return needed ? loadTokenCounter() : undefined;
}
