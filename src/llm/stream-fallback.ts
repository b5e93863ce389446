import { LlmError } from "./llm-error.js";

/**
 * Some OpenAI-compatible servers (older proxies, gateways, self-hosted builds) ignore
 * `stream: true` and answer with one JSON completion. The SDK would read that body as an empty
 * event stream; this fetch turns such an answer into the events it stands for (one text or
 * tool-call delta, the finish reason, the usage), so the answer is kept and no request is
 * repeated. `onUnstreamed` is told, so later requests go unstreamed at once.
 */
export function streamTolerantFetch(onUnstreamed: () => void, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok || !askedToStream(init) || /text\/event-stream/i.test(type)) return response;
    const body = await response.text();
    let completion: unknown;
    try {
      completion = JSON.parse(body) as unknown;
    } catch {
      completion = undefined;
    }
    if (!isCompletion(completion)) {
      // Garbage or an HTML page with a 2xx: read as a stream it would look like an empty answer.
      const shown = body.length > 120 ? `${body.slice(0, 120)}…` : body;
      throw new LlmError("LLM_BAD_RESPONSE", `the model endpoint answered ${response.status} (${type || "no content type"}) with a body that is not the chat-completions protocol: ${shown}`, {
        retryable: false,
        status: response.status,
      });
    }
    onUnstreamed();
    return new Response(asEvents(completion), { status: 200, headers: { "content-type": "text/event-stream" } });
  };
}

function isCompletion(value: unknown): value is Completion {
  return typeof value === "object" && value !== null && Array.isArray((value as Completion).choices);
}

function askedToStream(init: RequestInit | undefined): boolean {
  if (typeof init?.body !== "string") return false;
  try {
    return (JSON.parse(init.body) as { stream?: unknown }).stream === true;
  } catch {
    return false;
  }
}

interface Completion {
  id?: string;
  created?: number;
  model?: string;
  choices?: { index?: number; message?: { role?: string; content?: string | null; reasoning_content?: string | null; tool_calls?: { id?: string; type?: string; function?: { name?: string; arguments?: string } }[] }; finish_reason?: string | null }[];
  usage?: unknown;
}

/** A chat completion as the chunks a streaming server would have sent. */
function asEvents(value: unknown): string {
  const completion = (value ?? {}) as Completion;
  const head = { id: completion.id ?? "unstreamed", object: "chat.completion.chunk", created: completion.created ?? 0, model: completion.model ?? "" };
  const events: unknown[] = [];
  for (const choice of completion.choices ?? []) {
    const message = choice.message ?? {};
    const index = choice.index ?? 0;
    const toolCalls = (message.tool_calls ?? []).map((call, i) => ({ index: i, id: call.id, type: call.type ?? "function", function: call.function }));
    const delta = {
      role: message.role ?? "assistant",
      content: message.content ?? "",
      ...(message.reasoning_content ? { reasoning_content: message.reasoning_content } : {}),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    };
    events.push({ ...head, choices: [{ index, delta, finish_reason: null }] });
    events.push({ ...head, choices: [{ index, delta: {}, finish_reason: choice.finish_reason ?? "stop" }] });
  }
  if (completion.usage !== undefined) events.push({ ...head, choices: [], usage: completion.usage });
  return `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("")}data: [DONE]\n\n`;
}
