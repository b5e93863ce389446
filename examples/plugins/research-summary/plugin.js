// A cs-agents plugin: a research-summary team. The researcher searches a notes library served
// by a local MCP server (notes-server.js, over stdio), the summarizer writes a cited summary.
// The MCP server is configured, not imported: name it "notes" and grant it to the researcher:
//   CS_AGENTS_MCP_SERVERS='[{"name":"notes","transport":"stdio","command":"node",
//     "args":["examples/plugins/research-summary/notes-server.js"],"agents":["researcher"]}]'
//   npx cs-agents --plugin examples/plugins/research-summary/plugin.js run "research summary: retries and idempotency"
import { defineAgent, definePlanTemplate, defineTool, z } from "cs-agents";

/** The MCP tool as cs-agents registers it: `mcp.<server name>.<tool name>`. */
const SEARCH = "mcp.notes.search_notes";

const Finding = z.object({ id: z.string(), title: z.string(), source: z.string(), passage: z.string() });

const planQueries = defineTool({
  name: "research.queries",
  description: "Turns a research topic into search queries: the topic itself and each of its parts",
  input: z.object({ topic: z.string().min(1).max(200) }),
  output: z.object({ queries: z.array(z.string()) }),
  idempotent: true,
  timeoutMs: 1_000,
  handler: async ({ topic }) => {
    const parts = topic.split(/\s*(?:,|，|、|;|；|\band\b|\bvs\.?|与|和|及)\s*/i).map((p) => p.trim()).filter((p) => p.length > 1);
    return { queries: [...new Set([topic.trim(), ...parts])].slice(0, 4) };
  },
});

const LABELS = {
  en: { title: (t) => `Research summary: ${t}`, points: "Key points", sources: "Sources", none: "The library holds no notes on this topic." },
  zh: { title: (t) => `研究综述：${t}`, points: "要点", sources: "参考来源", none: "资料库中没有与该主题相关的笔记。" },
};

/** The first sentence of a passage: what the note is about, in its own words. */
const firstSentence = (text) => /^.*?[.!?。！？](?=\s|$)/.exec(text)?.[0] ?? text;

const summarize = defineTool({
  name: "research.summarize",
  description: "Writes a short cited summary (Markdown) of research findings: one point per note, numbered sources",
  input: z.object({ topic: z.string().min(1).max(200), language: z.enum(["zh", "en"]), findings: z.array(Finding).max(20) }),
  output: z.object({ markdown: z.string(), sources: z.array(z.string()) }),
  idempotent: true,
  timeoutMs: 1_000,
  handler: async ({ topic, language, findings }) => {
    const t = LABELS[language];
    const points = findings.map((f, i) => `- **${f.title}.** ${firstSentence(f.passage)} [${i + 1}]`);
    const sources = findings.map((f, i) => `${i + 1}. ${f.source} — ${f.title}`);
    const body = findings.length === 0 ? [t.none] : [`## ${t.points}`, "", ...points, "", `## ${t.sources}`, "", ...sources];
    return { markdown: [`# ${t.title(topic)}`, "", ...body, ""].join("\n"), sources: findings.map((f) => f.source) };
  },
});

const researcher = defineAgent({
  name: "researcher",
  role: "research librarian",
  instructions: `Plan search queries with research.queries, search the notes library with ${SEARCH} for each, and return what was found.`,
  // The search tool comes from the MCP server: CS_AGENTS_MCP_SERVERS grants it to this agent.
  tools: ["research.queries"],
  maxSteps: 8,
  rules: ({ subtask, history }) => {
    const failed = history.find((turn) => turn.result.status === "failed");
    if (failed) return { type: "fail", error: failed.result.error };
    if (history.length === 0) return { type: "call", tool: "research.queries", input: { topic: subtask.input.topic } };
    const { queries } = history[0].result.output;
    const searches = history.slice(1);
    if (searches.length < queries.length) return { type: "call", tool: SEARCH, input: { query: queries[searches.length], limit: 3 } };
    // Each note once, in the order the searches found it.
    const findings = new Map();
    for (const turn of searches) for (const hit of turn.result.output.results) if (!findings.has(hit.id)) findings.set(hit.id, Finding.parse(hit));
    return { type: "finish", output: { topic: subtask.input.topic, queries, findings: [...findings.values()] } };
  },
});

const writer = defineAgent({
  name: "summarizer",
  role: "research writer",
  instructions: "Write a cited summary of the researcher's findings with research.summarize; finish with summary.md.",
  tools: ["research.summarize"],
  rules: ({ dependencies, history, language }) => {
    const research = dependencies.research?.output;
    const last = history.at(-1);
    if (!last) return { type: "call", tool: "research.summarize", input: { topic: research.topic, language, findings: research.findings.slice(0, 6) } };
    if (last.result.status === "failed") return { type: "fail", error: last.result.error };
    const { markdown, sources } = last.result.output;
    return { type: "finish", output: { sources }, artifacts: [{ name: "summary.md", mediaType: "text/markdown", content: markdown }] };
  },
});

const researchTemplate = definePlanTemplate({
  name: "research-summary",
  description: "a cited research summary from the notes library (an MCP server)",
  examples: ["research summary: <topic>", "研究综述：<主题>"],
  match: (description) => {
    const found = /^(?:research summary|研究综述|调研总结)\s*[:：]\s*(.+)$/is.exec(description.trim());
    return found ? { params: { topic: found[1].trim() } } : undefined;
  },
  build: (params, language) => {
    const zh = language === "zh";
    return [
      { id: "research", title: zh ? "检索资料" : "Search the notes library", agent: "researcher", instructions: "Find notes on the topic.", dependsOn: [], tool: "research.queries", input: { topic: params.topic } },
      { id: "summarize", title: zh ? "撰写综述" : "Write the summary", agent: "summarizer", instructions: "Summarise the findings with citations.", dependsOn: ["research"], tool: "research.summarize", input: { topic: params.topic } },
    ];
  },
});

export const tools = [planQueries, summarize];
export const agents = [researcher, writer];
export const templates = [researchTemplate];
