// A cs-agents plugin: one tool, one agent and one plan template, written with the public API.
// Load it with:  npx cs-agents --plugin examples/plugins/word-count.js run "count the words in: to be or not to be"
import { defineAgent, definePlanTemplate, defineTool, z } from "cs-agents";

const countWords = defineTool({
  name: "text.count_words",
  description: "Counts the words of a text and the most frequent ones",
  input: z.object({ text: z.string().min(1).max(100_000) }),
  output: z.object({ words: z.number().int(), top: z.array(z.object({ word: z.string(), count: z.number().int() })) }),
  idempotent: true,
  timeoutMs: 2_000,
  handler: async ({ text }) => {
    // Intl.Segmenter splits Chinese too, where words are not separated by spaces.
    const segmenter = new Intl.Segmenter(undefined, { granularity: "word" });
    const words = [...segmenter.segment(text.toLowerCase())].filter((s) => s.isWordLike).map((s) => s.segment);
    const counts = new Map();
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5).map(([word, count]) => ({ word, count }));
    return { words: words.length, top };
  },
});

const counter = defineAgent({
  name: "counter",
  role: "text statistician",
  instructions: "Count the words of the given text.",
  tools: ["text.count_words"],
  // The built-in rules model calls the subtask's suggested tool and finishes with its output;
  // this policy also writes a small report as an artifact.
  rules: ({ subtask, history }) => {
    const last = history.at(-1);
    if (!last) return { type: "call", tool: "text.count_words", input: subtask.input };
    if (last.result.status === "failed") return { type: "fail", error: last.result.error };
    const { words, top } = last.result.output;
    const lines = [`# Word count`, ``, `${words} words.`, ``, ...top.map((t) => `- ${t.word}: ${t.count}`)];
    return { type: "finish", output: last.result.output, artifacts: [{ name: "word-count.md", mediaType: "text/markdown", content: `${lines.join("\n")}\n` }] };
  },
});

const wordCountTemplate = definePlanTemplate({
  name: "word-count",
  description: "counts the words of a text",
  examples: ["count the words in: <text>", "统计字数：<文本>"],
  match: (description) => {
    const found = /^(?:count the words in|统计字数)\s*[:：]\s*(.+)$/is.exec(description);
    return found ? { params: { text: found[1] } } : undefined;
  },
  build: (params, language) => [
    {
      id: "count",
      title: language === "zh" ? "统计字数" : "Count the words",
      agent: "counter",
      instructions: "Count the words of the text.",
      dependsOn: [],
      tool: "text.count_words",
      input: { text: params.text },
    },
  ],
});

export const tools = [countWords];
export const agents = [counter];
export const templates = [wordCountTemplate];
