/** A model answer split into what it says and the reasoning it showed on the way. */
export interface SplitAnswer {
  readonly answer: string;
  readonly reasoning: string | undefined;
}

const BLOCK = /<(think|thinking|reasoning)>([\s\S]*?)<\/\1>/gi;
const CLOSE = /<\/(?:think|thinking|reasoning)>/gi;

/**
 * Separates reasoning blocks (`<think>…</think>`, as DeepSeek-R1, QwQ and Qwen3 write them)
 * from the answer. A lone closing tag counts too: chat templates that open the block in the
 * prompt leave only `…</think>` in the answer. The reasoning is for the journal; the answer is
 * what the run hands on.
 */
export function splitReasoning(text: string): SplitAnswer {
  const parts: string[] = [];
  let answer = text.replace(BLOCK, (_whole, _tag: string, inner: string) => {
    parts.push(inner.trim());
    return "";
  });
  const closes = [...answer.matchAll(CLOSE)];
  const lastClose = closes.at(-1);
  if (lastClose?.index !== undefined) {
    parts.push(answer.slice(0, lastClose.index).replace(CLOSE, "").trim());
    answer = answer.slice(lastClose.index + lastClose[0].length);
  }
  const reasoning = parts.filter((p) => p !== "").join("\n\n");
  return { answer: answer.trim(), reasoning: reasoning === "" ? undefined : reasoning };
}

/** The body of a ```json (or bare ```) fence around the whole text, else the text. */
export function unfence(text: string): string {
  return /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(text.trim())?.[1] ?? text.trim();
}
