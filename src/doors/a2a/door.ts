import { A2A_PROTOCOL_VERSION, AGENT_CARD_PATH, AgentCard, formatSSEEvent, SSE_HEADERS } from "@a2a-js/sdk";
import { LegacyJsonRpcTransportHandler } from "@a2a-js/sdk/compat/v0_3/server";
import { JsonRpcTransportHandler, ServerCallContext } from "@a2a-js/sdk/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { agentCardOf } from "./agent-card.js";
import type { CardAgent, CardTemplate } from "./agent-card.js";
import { httpStatusOf, problemFrom, rpcErrorOf } from "./errors.js";
import type { DoorProblem } from "./errors.js";
import { A2aRequestHandler, CALL_STATE } from "./request-handler.js";
import type { CallState } from "./request-handler.js";
import type { Caller, DoorService } from "./service-port.js";

export interface A2aDoorOptions {
  /** Where the JSON-RPC endpoint is served. Default `/a2a`. */
  readonly path?: string;
  /** The origin clients reach this server at (behind a proxy); default: the request's own. */
  readonly publicUrl?: string;
  readonly name?: string;
  readonly description?: string;
  readonly version?: string;
  /** Whether tokens are required (the card then names the bearer scheme). */
  readonly authOn: boolean;
  /** The plan templates to show as skills (the planner's capabilities). */
  readonly templates?: readonly CardTemplate[];
  /** The agents to show as skills; default: the service's listAgents, asked with the card request's own token. */
  readonly agents?: readonly CardAgent[];
}

const A2A_VERSION_HEADER = "a2a-version";
const LEGACY_VERSION = "0.3";
const KEEP_ALIVE_MS = 15_000;
/** The versions the card's interfaces name (agent-card.ts). */
const VERSIONS: ReadonlySet<string> = new Set([A2A_PROTOCOL_VERSION, LEGACY_VERSION]);

type JsonRpcAnswer = { jsonrpc: string; id: string | number | null; result?: unknown; error?: unknown };

/**
 * cs-agents as an A2A agent, on the API's own server: the agent card at
 * `/.well-known/agent-card.json` and one JSON-RPC endpoint speaking A2A 1.0 (`SendMessage`,
 * `SendStreamingMessage`, `GetTask`, `CancelTask`, `SubscribeToTask`, `ListTasks`) and, for
 * requests without `A2A-Version: 1.0`, A2A 0.3 (`message/send`, `message/stream`, `tasks/get`,
 * `tasks/cancel`, `tasks/resubscribe`).
 */
export function a2aDoor(options: A2aDoorOptions) {
  const path = options.path ?? "/a2a";
  return {
    name: "a2a",
    async register(app: FastifyInstance, service: DoorService): Promise<void> {
      const cardFor = async (origin: string, caller: Caller | undefined) => {
        const agents = options.agents ?? (caller ? await agentsVia(service, caller) : []);
        return agentCardOf({
          name: options.name ?? "cs-agents",
          description: options.description ?? "A durable multi-agent task service: a planner splits a task into subtasks, agents call tools, the engine finishes the task.",
          version: options.version ?? "0.0.0",
          endpoint: `${origin}${path}`,
          authOn: options.authOn,
          agents,
          templates: options.templates ?? [],
        });
      };
      const handler = new A2aRequestHandler(service, () => cardFor(options.publicUrl?.replace(/\/+$/, "") ?? "", undefined));
      const current = new JsonRpcTransportHandler(handler);
      const legacy = new LegacyJsonRpcTransportHandler(handler);

      app.get(`/${AGENT_CARD_PATH}`, async (request, reply) => {
        const caller = callerOf(request);
        const card = await cardFor(originOf(request, options), caller);
        // What a token may list differs per token: such a card is the caller's alone.
        const cache = caller.authorization === undefined || options.agents ? "public, max-age=300" : "private, no-store";
        return reply.header("Cache-Control", cache).header("Vary", "Authorization").type("application/json").send(JSON.stringify(AgentCard.toJSON(card)));
      });

      app.post(path, async (request, reply) => {
        const caller = callerOf(request);
        const id = rpcIdOf(request.body);
        // Who the caller is, before any JSON-RPC work: no token answers 401 as every door does.
        try {
          await service.authenticate(caller, null);
        } catch (error) {
          return answerProblem(reply, id, problemFrom(error), false);
        }
        const header = request.headers[A2A_VERSION_HEADER];
        const version = typeof header === "string" && header.trim() !== "" ? header.trim() : LEGACY_VERSION;
        const useLegacy = version === LEGACY_VERSION;
        const origin = originOf(request, options);
        const controller = new AbortController();
        reply.raw.on("close", () => controller.abort());
        const call: CallState = { caller, signal: controller.signal, origin };
        const context = new ServerCallContext({ requestedVersion: version, state: new Map([[CALL_STATE, call]]) });
        if (!VERSIONS.has(version)) {
          const message = `The requested A2A protocol version '${version.slice(0, 20)}' is not supported. Supported versions: ${[...VERSIONS].join(", ")}`;
          return reply.code(200).send({ jsonrpc: "2.0", id, error: { code: -32009, message } });
        }
        const answer = await (useLegacy ? legacy : current).handle(request.body as Record<string, unknown>, context);
        if (!isStream(answer)) {
          if (answer.error !== undefined && call.problem) return answerProblem(reply, id, call.problem, useLegacy);
          return reply.code(200).type("application/json").send(answer);
        }
        // The first event decides between an error answer (status, JSON) and a stream.
        const iterator = answer[Symbol.asyncIterator]();
        let first: IteratorResult<JsonRpcAnswer>;
        try {
          first = await iterator.next();
        } catch (error) {
          return answerProblem(reply, id, call.problem ?? problemFrom(error), useLegacy);
        }
        if (first.value?.error !== undefined && call.problem) return answerProblem(reply, id, call.problem, useLegacy);
        reply.hijack();
        reply.raw.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), ...SSE_HEADERS });
        // A comment line now and then keeps proxies from closing a stream that waits on a long step.
        const keepAlive = setInterval(() => reply.raw.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
        try {
          if (!first.done) reply.raw.write(formatSSEEvent(patched(first.value, call.problem, useLegacy)));
          for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
            if (controller.signal.aborted) break;
            reply.raw.write(formatSSEEvent(patched(next.value, call.problem, useLegacy)));
          }
        } catch (error) {
          const problem = call.problem ?? problemFrom(error);
          if (!reply.raw.writableEnded) reply.raw.write(`event: error\ndata: ${JSON.stringify({ jsonrpc: "2.0", id, error: envelopeOf(problem, useLegacy) })}\n\n`);
        } finally {
          clearInterval(keepAlive);
          await iterator.return?.(undefined);
          if (!reply.raw.writableEnded) reply.raw.end();
        }
        return reply;
      });
    },
  };
}

function originOf(request: FastifyRequest, options: A2aDoorOptions): string {
  return options.publicUrl?.replace(/\/+$/, "") ?? `${request.protocol}://${request.host}`;
}

function callerOf(request: FastifyRequest): Caller {
  const traceparent = request.headers.traceparent;
  const language = request.headers["accept-language"];
  return { door: "a2a", authorization: request.headers.authorization, address: request.ip, traceparent: typeof traceparent === "string" ? traceparent : undefined, acceptLanguage: typeof language === "string" ? language : undefined };
}

async function agentsVia(service: DoorService, caller: Caller): Promise<readonly CardAgent[]> {
  try {
    const answer = await service.call("listAgents", caller);
    return (answer.body as { items: CardAgent[] }).items;
  } catch {
    // The card is public; without a token allowed to list agents it names none.
    return [];
  }
}

function rpcIdOf(body: unknown): string | number | null {
  const id = body && typeof body === "object" ? (body as { id?: unknown }).id : undefined;
  return typeof id === "string" || (typeof id === "number" && Number.isInteger(id)) ? id : null;
}

function isStream(answer: JsonRpcAnswer | AsyncGenerator<JsonRpcAnswer, void, undefined>): answer is AsyncGenerator<JsonRpcAnswer, void, undefined> {
  return typeof (answer as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
}

/** A 1.0 error carries google.rpc.ErrorInfo details; a 0.3 error an object `data` with the code. */
function envelopeOf(problem: DoorProblem, legacy: boolean): unknown {
  const error = rpcErrorOf(problem);
  return legacy ? { code: error.code, message: error.message, data: { code: problem.code, status: problem.status } } : error;
}

function patched(answer: JsonRpcAnswer, problem: DoorProblem | undefined, legacy: boolean): JsonRpcAnswer {
  return answer.error !== undefined && problem ? { jsonrpc: "2.0", id: answer.id, error: envelopeOf(problem, legacy) } : answer;
}

function answerProblem(reply: FastifyReply, id: string | number | null, problem: DoorProblem, legacy: boolean): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  if (problem.status === 401) reply.header("WWW-Authenticate", `Bearer error="invalid_token", error_description="${problem.message.replace(/["\\]/g, "'")}"`);
  if (problem.code === "INSUFFICIENT_SCOPE") reply.header("WWW-Authenticate", 'Bearer error="insufficient_scope"');
  return reply.code(httpStatusOf(problem)).type("application/json").send({ jsonrpc: "2.0", id, error: envelopeOf(problem, legacy) });
}
