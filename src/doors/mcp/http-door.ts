import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Caller, HttpDoor } from "../../api/index.js";
import { createMcpServer, type McpDoorInfo } from "./mcp-server.js";

export const MCP_PATH = "/mcp";

/**
 * MCP over Streamable HTTP at /mcp on the API's own server (same port, same TLS), stateless: each
 * POST gets its own server and transport, so any replica answers any request and nothing is kept
 * between requests. A tool call's progress goes back on that POST's event stream.
 */
export function mcpHttpDoor(info: McpDoorInfo): HttpDoor {
  return {
    name: "mcp",
    async register(app, service) {
      app.route({
        method: "POST",
        url: MCP_PATH,
        handler: async (request, reply) => {
          const caller = callerOf(request);
          // No or a bad token: 401 with WWW-Authenticate from the API's error handler, before any JSON-RPC.
          await service.authenticate(caller, null);
          const server = createMcpServer(service, caller, info);
          // No sessionIdGenerator: stateless mode.
          const transport = new StreamableHTTPServerTransport({});
          reply.hijack();
          // Headers the API's hooks set (security headers, CORS) go out with the SDK's answer too.
          for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
          // The client gone (or the answer sent): in-flight tool calls are aborted, a followed run is let go.
          reply.raw.on("close", () => {
            void transport.close();
            void server.close();
          });
          await server.connect(transport);
          await transport.handleRequest(request.raw, reply.raw, request.body);
        },
      });
      // Stateless: no server-initiated stream to GET and no session to DELETE.
      app.route({
        method: ["GET", "DELETE"],
        url: MCP_PATH,
        handler: async (request, reply) => {
          await service.authenticate(callerOf(request), null);
          return notAllowed(reply);
        },
      });
    },
  };
}

function notAllowed(reply: FastifyReply): FastifyReply {
  return reply.code(405).header("Allow", "POST").send({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages" }, id: null });
}

function callerOf(request: FastifyRequest): Caller {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return typeof value === "string" ? value : undefined;
  };
  return { door: "mcp", authorization: header("authorization"), address: request.ip, traceparent: header("traceparent"), acceptLanguage: header("accept-language") };
}
