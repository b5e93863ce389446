// A small MCP server built with the official SDK, for the MCP tests: `add` (structured output),
// `Echo-Text` (text; "boom" answers with isError) and `evolve` (changes the tool list). Runs over
// stdio by default, or over
// Streamable HTTP on 127.0.0.1 with `--http <port>` (0: any port; the port is printed as
// `listening <port>` on stdout). It counts calls in `calls` of its answers so the tests can see
// a restarted server.
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

let calls = 0;
// Where the tests find this process to kill it.
if (process.env.FIXTURE_PID_FILE) writeFileSync(process.env.FIXTURE_PID_FILE, String(process.pid));

function buildServer() {
  const server = new McpServer({ name: "fixture", version: "1.0.0" });
  const add = server.registerTool(
    "add",
    {
      description: "adds two numbers",
      inputSchema: { a: z.number(), b: z.number().describe("the second number") },
      outputSchema: { sum: z.number(), calls: z.number() },
      annotations: { readOnlyHint: true },
    },
    async ({ a, b }) => {
      calls++;
      const result = { sum: a + b, calls };
      return { content: [{ type: "text", text: JSON.stringify(result) }], structuredContent: result };
    },
  );
  const echo = server.registerTool(
    "Echo-Text",
    { description: "echoes text back", inputSchema: { text: z.string().min(1), shout: z.boolean().optional() } },
    async ({ text, shout }) => {
      calls++;
      if (text === "boom") return { content: [{ type: "text", text: "echo refused: boom" }], isError: true };
      return { content: [{ type: "text", text: shout ? text.toUpperCase() : text }] };
    },
  );
  // Changes the tool list while connected (the SDK sends `list_changed`): `add` takes a third
  // number and is now destructive, `Echo-Text` goes away, `mul` is new.
  server.registerTool("evolve", { description: "changes this server's tools", inputSchema: {} }, async () => {
    add.update({
      paramsSchema: { a: z.number(), b: z.number(), c: z.number() },
      annotations: { destructiveHint: true },
      callback: async ({ a, b, c }) => {
        calls++;
        const result = { sum: a + b + c, calls };
        return { content: [{ type: "text", text: JSON.stringify(result) }], structuredContent: result };
      },
    });
    echo.remove();
    server.registerTool("mul", { description: "multiplies", inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({ content: [{ type: "text", text: String(a * b) }] }));
    return { content: [{ type: "text", text: "evolved" }] };
  });
  return server;
}

const httpAt = process.argv.indexOf("--http");
if (httpAt === -1) {
  await buildServer().connect(new StdioServerTransport());
} else {
  const port = Number(process.argv[httpAt + 1] ?? 0);
  const http = createServer((req, res) => {
    if (req.url !== "/mcp") {
      res.writeHead(404).end();
      return;
    }
    // Stateless: a server and transport per request, as the SDK's examples do.
    const server = buildServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => res.headersSent || res.writeHead(500).end());
  });
  http.listen(port, "127.0.0.1", () => {
    process.stdout.write(`listening ${http.address().port}\n`);
  });
}
