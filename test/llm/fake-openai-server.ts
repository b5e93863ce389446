import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One message of a chat-completions request, as the SDK sends it. */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant" | "tool";
  readonly content?: string | null | readonly { type: string; text?: string }[];
  readonly tool_calls?: readonly { id: string; type: "function"; function: { name: string; arguments: string } }[];
  readonly tool_call_id?: string;
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly { type: "function"; function: { name: string; description?: string; parameters: unknown } }[];
  readonly stream?: boolean;
  readonly temperature?: number;
  readonly max_tokens?: number;
  readonly response_format?: unknown;
}

/** What the scripted server answers to one request. */
export type Reply =
  | { readonly kind: "text"; readonly content: string; readonly tokens?: number }
  | { readonly kind: "tool"; readonly name: string; readonly arguments: string; readonly tokens?: number }
  | { readonly kind: "status"; readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  /** Never answers: the client's timeout must end it. */
  | { readonly kind: "hang" }
  /** A body that is not the protocol (garbage, an HTML error page) with the given status. */
  | { readonly kind: "raw"; readonly status: number; readonly contentType: string; readonly body: string }
  /** A streamed text answer whose chunks never carry a finish_reason (some servers do this). */
  | { readonly kind: "unfinished"; readonly content: string; readonly tokens?: number };

export const text = (content: string, tokens = 10): Reply => ({ kind: "text", content, tokens });
export const toolCall = (name: string, args: unknown, tokens = 10): Reply => ({
  kind: "tool",
  name,
  arguments: typeof args === "string" ? args : JSON.stringify(args),
  tokens,
});
export const status = (code: number, headers: Record<string, string> = {}): Reply => ({
  kind: "status",
  status: code,
  headers,
  body: { error: { message: `scripted ${code}`, type: "server_error" } },
});
export const hang = (): Reply => ({ kind: "hang" });
export const raw = (body: string, contentType = "application/json", code = 200): Reply => ({ kind: "raw", status: code, contentType, body });
export const unfinished = (content: string, tokens = 10): Reply => ({ kind: "unfinished", content, tokens });

export type Script = (request: ChatRequest, index: number) => Reply;

/** Replies in order; the last one repeats once the list is used up. */
export function inOrder(...replies: Reply[]): Script {
  return (_request, index) => replies[Math.min(index, replies.length - 1)] ?? text("done");
}

export interface FakeOpenAI {
  /** Base URL to configure, ending in `/v1`. */
  readonly baseUrl: string;
  readonly requests: ChatRequest[];
  /** Authorization headers received, to check the key is sent (and where it goes). */
  readonly authorizations: (string | undefined)[];
  script: Script;
  /** False: the server ignores `stream: true` and answers with one JSON completion (some gateways do). */
  streams: boolean;
  /** Reported as `prompt_tokens_details.cached_tokens` in every answer's usage, when set. */
  cachedTokens?: number;
  /** How many pieces a streamed text answer is cut into (3 unless set). */
  textPieces?: number;
  /** Awaited before each piece of a streamed text answer is sent: a test holds a stream mid-answer with it. */
  beforePiece?: (requestIndex: number, piece: number) => Promise<void>;
  close(): Promise<void>;
}

/**
 * A local server speaking the OpenAI chat-completions protocol (JSON and SSE streaming) with
 * scripted replies. It listens on 127.0.0.1 at a random port and counts every request.
 */
export async function startFakeOpenAI(script: Script): Promise<FakeOpenAI> {
  const requests: ChatRequest[] = [];
  const authorizations: (string | undefined)[] = [];
  const fake: FakeOpenAI = { baseUrl: "", requests, authorizations, script, streams: true, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    void readJson(req).then((body) => {
      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        res.writeHead(404).end();
        return;
      }
      const request = body as ChatRequest;
      const index = requests.length;
      requests.push(request);
      authorizations.push(req.headers.authorization);
      void respond(res, fake.streams ? request : { ...request, stream: false }, fake.script(request, index), index, fake);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  return raw === "" ? {} : (JSON.parse(raw) as unknown);
}

async function respond(res: ServerResponse, request: ChatRequest, reply: Reply, index: number, options: Pick<FakeOpenAI, "cachedTokens" | "textPieces" | "beforePiece">): Promise<void> {
  const { cachedTokens } = options;
  if (reply.kind === "hang") return;
  if (reply.kind === "status") {
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers }).end(JSON.stringify(reply.body ?? {}));
    return;
  }
  if (reply.kind === "raw") {
    res.writeHead(reply.status, { "content-type": reply.contentType }).end(reply.body);
    return;
  }
  const id = `chatcmpl-${index}`;
  const tokens = reply.tokens ?? 10;
  const usage = { prompt_tokens: tokens, completion_tokens: tokens, total_tokens: tokens * 2, ...(cachedTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: cachedTokens } }) };
  const toolCalls = reply.kind === "tool" ? [{ id: `call_${index}`, type: "function", function: { name: reply.name, arguments: reply.arguments } }] : undefined;
  const finish = reply.kind === "tool" ? "tool_calls" : reply.kind === "unfinished" ? null : "stop";
  if (!request.stream) {
    const message = { role: "assistant", content: reply.kind === "tool" ? null : reply.content, ...(toolCalls ? { tool_calls: toolCalls } : {}) };
    const body = { id, object: "chat.completion", created: 1, model: request.model, choices: [{ index: 0, message, finish_reason: finish }], usage };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const chunk = (delta: unknown, finishReason: string | null = null) =>
    res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model: request.model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`);
  chunk({ role: "assistant", content: "" });
  if (reply.kind !== "tool") {
    const pieces = split(reply.content, options.textPieces ?? 3);
    for (const [n, piece] of pieces.entries()) {
      await options.beforePiece?.(index, n);
      chunk({ content: piece });
    }
  } else {
    const [first = "", ...rest] = split(reply.arguments, 2);
    chunk({ tool_calls: [{ index: 0, id: `call_${index}`, type: "function", function: { name: reply.name, arguments: first } }] });
    for (const piece of rest) chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
  }
  chunk({}, finish);
  res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model: request.model, choices: [], usage })}\n\n`);
  res.end("data: [DONE]\n\n");
}

function split(value: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(value.length / parts));
  const pieces: string[] = [];
  for (let i = 0; i < value.length; i += size) pieces.push(value.slice(i, i + size));
  return pieces.length > 0 ? pieces : [""];
}

/** The text of every message of a request, joined: what a scripted model "reads". */
export function transcript(request: ChatRequest): string {
  return request.messages
    .map((m) => {
      const content = typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text ?? "").join("");
      const calls = (m.tool_calls ?? []).map((c) => `${c.function.name}(${c.function.arguments})`).join(" ");
      return `${m.role}: ${content} ${calls}`;
    })
    .join("\n");
}

/** The last message of a request. */
export function lastMessage(request: ChatRequest): ChatMessage | undefined {
  return request.messages.at(-1);
}
