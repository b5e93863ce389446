// A small MCP server (stdio, the official SDK) holding a library of research notes on building
// reliable services. cs-agents starts it as a child process and registers its tool as
// `mcp.notes.search_notes` when CS_AGENTS_MCP_SERVERS names it "notes".
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

/** The library: each note paraphrases one well-known source; `terms` adds Chinese search words. */
const NOTES = [
  {
    id: "retries-jitter",
    title: "Timeouts, retries and backoff with jitter",
    source: "Amazon Builders' Library (2019)",
    terms: "重试 退避 抖动 超时",
    text: "Retries turn a brief failure into a success, but retrying clients that back off in lock-step keep colliding. Exponential backoff with random jitter spreads the retries out, and a timeout on every attempt bounds how long a caller waits. Retries are safe only for operations that are idempotent.",
  },
  {
    id: "idempotency-keys",
    title: "Making retries safe with idempotency keys",
    source: "Stripe engineering blog (2017)",
    terms: "幂等 幂等键 重试 支付",
    text: "An idempotency key sent with a request lets the server recognise a repeat and return the first result instead of acting twice. The key must be stable across retries of the same operation and unique across different ones. Payments and other side effects need it most, because a timeout does not tell the caller whether the action happened.",
  },
  {
    id: "circuit-breaker",
    title: "The circuit breaker pattern",
    source: "Michael Nygard, Release It! (2nd ed., 2018)",
    terms: "熔断 断路器 级联故障",
    text: "A circuit breaker stops calling a dependency that keeps failing, so a struggling service is not buried under retries. After a cool-down it lets a trial call through and closes again when that succeeds. Breakers turn slow cascading failures into fast, visible ones.",
  },
  {
    id: "fencing-tokens",
    title: "Leases need fencing tokens",
    source: "Martin Kleppmann, How to do distributed locking (2016)",
    terms: "租约 分布式锁 栅栏令牌 fencing",
    text: "A lease can expire while its holder is paused, so two workers may both believe they own a job. A fencing token that increases with every grant lets the storage reject writes from the older holder. Without fencing, a lock only makes conflicts rarer, not impossible.",
  },
  {
    id: "sagas",
    title: "Sagas: long-lived transactions as compensating steps",
    source: "Garcia-Molina and Salem, Sagas (1987)",
    terms: "补偿事务 长事务 saga",
    text: "A saga splits a long transaction into steps that each commit on their own, and pairs every step with a compensating action. When a later step fails, the compensations undo the earlier ones in reverse order. Sagas trade isolation for availability.",
  },
  {
    id: "durable-execution",
    title: "Durable execution by journaling each step",
    source: "Workflow engine documentation (Temporal, Restate)",
    terms: "持久化执行 日志 重放 断点续跑",
    text: "Durable execution records the result of every step in a journal before the program moves on. After a crash the program is replayed: recorded steps return their saved results and only unfinished steps run again. Steps with side effects must therefore be idempotent or deduplicated.",
  },
  {
    id: "backpressure",
    title: "Backpressure and bounded queues",
    source: "Reactive Streams specification (2015)",
    terms: "背压 有界队列 限流 过载",
    text: "A producer faster than its consumer fills every buffer in between unless the consumer can push back. Bounded queues and explicit demand signals keep memory flat under load, and rejecting work early is kinder than timing out late.",
  },
];

const STOP_WORDS = new Set(["and", "the", "for", "with", "how", "what", "are", "its", "from", "into", "that", "this"]);

/** Lowercase words, plus each Chinese character pair, so "幂等重试" finds both notes. */
function tokens(text) {
  const lower = text.toLowerCase();
  const words = lower.match(/[a-z0-9]+/g) ?? [];
  const han = [...lower.matchAll(/\p{Script=Han}+/gu)].flatMap(([run]) => (run.length < 2 ? [run] : [...run].slice(1).map((_, i) => run.slice(i, i + 2))));
  return [...words.filter((w) => w.length > 2 && !STOP_WORDS.has(w)), ...han];
}

function search(query, limit) {
  const wanted = new Set(tokens(query));
  return NOTES.map((note) => {
    const have = new Set(tokens(`${note.title} ${note.terms} ${note.text}`));
    return { note, score: [...wanted].filter((t) => have.has(t)).length };
  })
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || a.note.id.localeCompare(b.note.id))
    .slice(0, limit)
    .map(({ note, score }) => ({ id: note.id, title: note.title, source: note.source, passage: note.text, score }));
}

const server = new McpServer({ name: "research-notes", version: "1.0.0" });
const Hit = z.object({ id: z.string(), title: z.string(), source: z.string(), passage: z.string(), score: z.number() });
server.registerTool(
  "search_notes",
  {
    description: "Searches the research-notes library; returns the best-matching notes with their sources",
    inputSchema: { query: z.string().min(1).max(200), limit: z.number().int().min(1).max(5).optional() },
    outputSchema: { results: z.array(Hit) },
    annotations: { readOnlyHint: true },
  },
  async ({ query, limit }) => {
    const results = search(query, limit ?? 3);
    return { content: [{ type: "text", text: JSON.stringify({ results }) }], structuredContent: { results } };
  },
);

await server.connect(new StdioServerTransport());
