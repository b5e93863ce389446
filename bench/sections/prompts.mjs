// Prompt tokens per model call for the seed's task ("生成季度财务报告") with the planner and every
// agent on a model: a local server speaking the chat-completions protocol plays a model that
// does the task the way a capable one would (data: quarters then query, handing the extract on
// by reference; analyst: metrics from the extract by reference; writer: reads a slice of the
// metrics, composes with its commentary). Each request is counted with o200k_base as sent:
// messages and offered tools. Target: no single call over 6,000 tokens, the report produced.
import { createServer } from "node:http";
import { createRuntime } from "../../dist/index.js";
import { loadTokenCounter } from "../../dist/llm/count-tokens.js";

const TASK = "生成季度财务报告";

function contentOf(message) {
  if (typeof message.content === "string") return message.content;
  return (message.content ?? []).map((p) => p.text ?? "").join("");
}

/** The scripted model's next answer: a plan (JSON mode), or an agent's next step. */
function answer(request) {
  if (request.response_format) return { content: "not a plan" }; // the template planner plans
  const system = contentOf(request.messages[0] ?? {});
  const agent = /You are the "([a-z]+)" agent/.exec(system)?.[1];
  const tools = request.messages.filter((m) => m.role === "tool").length;
  const text = request.messages.map(contentOf).join("\n");
  const quarter = /"latestComplete": "(\d{4}Q[1-4])"/.exec(text)?.[1] ?? /"quarter": "(\d{4}Q[1-4])"/.exec(text)?.[1];
  const call = (name, args) => ({ tool: { name, arguments: JSON.stringify(args) } });
  if (agent === "data") {
    if (tools === 0) return call("ledger_quarters", {});
    if (tools === 1) return call("ledger_query", { quarter });
    return { content: JSON.stringify({ $ref: "result:1" }) };
  }
  if (agent === "analyst") {
    if (tools === 0) return call("finance_metrics", { quarter, extract: { $ref: Object.keys(refs(text))[0] ?? "dependency:collect" } });
    return { content: JSON.stringify({ $ref: "result:0" }) };
  }
  if (agent === "writer") {
    const handle = Object.keys(refs(text))[0];
    const read = request.messages.some((m) => (m.tool_calls ?? []).some((c) => c.function.name === "read_result"));
    if (handle && !read) return call("read_result", { handle, offset: 0, length: 3000 });
    if (tools <= 1) return call("report_compose", { quarter, language: "zh", commentary: ["本季度营业收入稳步增长，主要来自订阅业务。", "毛利率保持稳定，费用控制得当。"] });
    return { content: "报告已完成。" };
  }
  return { content: "?" };
}

const refs = (text) => Object.fromEntries([...text.matchAll(/"\$ref": "([a-z]+:[a-z0-9_-]+)"/g)].map((m) => [m[1], true]));

function respond(res, request, reply, index) {
  const message = reply.tool
    ? { role: "assistant", content: null, tool_calls: [{ id: `call_${index}`, type: "function", function: reply.tool }] }
    : { role: "assistant", content: reply.content };
  const body = { id: `c${index}`, object: "chat.completion", created: 1, model: request.model, choices: [{ index: 0, message, finish_reason: reply.tool ? "tool_calls" : "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
}

export async function run({ log }) {
  const count = await loadTokenCounter();
  const calls = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const agent = request.response_format ? "planner" : (/You are the "([a-z]+)" agent/.exec(contentOf(request.messages[0] ?? {}))?.[1] ?? "?");
      const tokens = request.messages.reduce((sum, m) => sum + 4 + count(contentOf(m)) + count(JSON.stringify(m.tool_calls ?? "")), 3) + (request.tools ? count(JSON.stringify(request.tools)) : 0);
      calls.push({ agent, tokens, bytes: Buffer.byteLength(JSON.stringify({ messages: request.messages, tools: request.tools })) });
      respond(res, request, answer(request), calls.length);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${server.address().port}/v1`;
  const runtime = createRuntime({ llm: { baseUrl, apiKey: "", model: "bench-model", temperature: 0, maxOutputTokens: 2048, timeoutMs: 60_000, maxRetries: 0, agentModels: {}, stream: false } });
  const outcome = await runtime.engine.execute({ runId: "prompts", task: { description: TASK } });
  await runtime.close();
  server.close();
  const files = outcome.status === "succeeded" ? outcome.result.artifacts.map((a) => a.name) : [];
  const rows = calls.map((c, i) => ({ section: "prompts", key: `call-${i + 1}`, case: `${i + 1}. ${c.agent}`, tokens: c.tokens, kb: c.bytes / 1024 }));
  for (const r of rows) log(`${r.case.padEnd(20)} ${String(r.tokens).padStart(6)} tokens ${r.kb.toFixed(1).padStart(7)} KB`);
  const max = Math.max(...calls.map((c) => c.tokens));
  const notes = [
    `run ${outcome.status}${outcome.status === "failed" ? ` (${outcome.error.code}: ${outcome.error.message})` : ""}; files: ${files.filter((f) => !f.endsWith(".svg")).join(", ")} and ${files.filter((f) => f.endsWith(".svg")).length} charts`,
    `largest single call: ${max} tokens (target ≤ 6,000); all calls: ${calls.reduce((s, c) => s + c.tokens, 0)} tokens`,
  ];
  return { rows, notes, max };
}
