import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { connectMcpServers, McpServersSchema, type McpServerConfig, type McpToolset } from "../../src/mcp/index.js";
import { createToolRegistry, ToolExecutor } from "../../src/tools/index.js";

const FIXTURE = fileURLToPath(new URL("./fixture-server.mjs", import.meta.url));

let toolset: McpToolset | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  await toolset?.close();
  toolset = undefined;
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

const config = (server: Record<string, unknown>): McpServerConfig[] => McpServersSchema.parse([server]);

function stdioServer(reconnectDelayMs = 50) {
  const pidFile = join(mkdtempSync(join(tmpdir(), "cs-agents-mcp-")), "pid");
  const servers = config({ name: "calc", transport: "stdio", command: process.execPath, args: [FIXTURE], env: { FIXTURE_PID_FILE: pidFile }, agents: ["assistant"], sensitiveTools: ["Echo-Text"] });
  return { servers, pid: () => Number(readFileSync(pidFile, "utf8")), options: { reconnect: { initialDelayMs: reconnectDelayMs, maxDelayMs: 400 }, stderr: "ignore" as const } };
}

/** Starts the fixture over HTTP; resolves with its port once it listens. */
async function startHttpServer(port = 0): Promise<number> {
  const child = spawn(process.execPath, [FIXTURE, "--http", String(port)], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`fixture exited with ${code}`)));
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const executorFor = (set: McpToolset) => new ToolExecutor({ registry: createToolRegistry(set.tools) });

describe("MCP tools over stdio", () => {
  it("registers each tool as mcp.<server>.<tool> with its JSON Schema as the input schema", async () => {
    const { servers, options } = stdioServer();
    toolset = await connectMcpServers(servers, options);
    expect(toolset.tools.map((t) => t.name).sort()).toEqual(["mcp.calc.add", "mcp.calc.echo-text", "mcp.calc.evolve"]);
    const add = toolset.tools.find((t) => t.name === "mcp.calc.add");
    expect(add?.input.safeParse({ a: 1, b: 2 }).success).toBe(true);
    expect(add?.input.safeParse({ a: "1", b: 2 }).success).toBe(false);
    expect(z.toJSONSchema(add?.input ?? z.never(), { io: "input" })).toMatchObject({ type: "object", properties: { a: { type: "number" }, b: { type: "number", description: "the second number" } }, required: ["a", "b"] });
    expect(add).toMatchObject({ idempotent: true, sensitive: false, timeoutMs: 30_000 });
    expect(toolset.tools.find((t) => t.name === "mcp.calc.echo-text")?.sensitive).toBe(true);
    expect(toolset.grants.get("assistant")).toEqual(["mcp.calc.add", "mcp.calc.echo-text", "mcp.calc.evolve"]);
  });

  it("calls tools through the ToolExecutor: validation, structured results and tool errors", async () => {
    const { servers, options } = stdioServer();
    toolset = await connectMcpServers(servers, options);
    const executor = executorFor(toolset);
    expect(await executor.run({ tool: "mcp.calc.add", input: { a: 2, b: 3 } })).toMatchObject({ status: "success", output: { sum: 5, calls: 1 } });
    // Refused by our validation: the server never sees it.
    expect(await executor.run({ tool: "mcp.calc.add", input: { a: "two", b: 3 } })).toMatchObject({ status: "failed", error: { code: "TOOL_INPUT_INVALID" } });
    expect(await executor.run({ tool: "mcp.calc.echo-text", input: { text: "hi", shout: true } })).toMatchObject({ status: "success", output: { content: [{ type: "text", text: "HI" }] } });
    expect(await executor.run({ tool: "mcp.calc.echo-text", input: { text: "boom" } })).toMatchObject({ status: "failed", error: { code: "MCP_TOOL_ERROR", message: expect.stringContaining("echo refused: boom") } });
    expect(await executor.run({ tool: "mcp.calc.add", input: { a: 1, b: 1 } })).toMatchObject({ output: { sum: 2, calls: 4 } });
  });

  it("answers MCP_UNAVAILABLE while a killed server is down, then reconnects it", async () => {
    const { servers, options, pid } = stdioServer(1_500);
    toolset = await connectMcpServers(servers, options);
    const set = toolset;
    const executor = executorFor(set);
    expect(await executor.run({ tool: "mcp.calc.add", input: { a: 1, b: 2 } })).toMatchObject({ status: "success" });
    process.kill(pid(), "SIGKILL");
    await waitFor(() => set.states().get("calc") === "down");
    const during = await executor.run({ tool: "mcp.calc.add", input: { a: 1, b: 2 } });
    expect(during).toMatchObject({ status: "failed", error: { code: "MCP_UNAVAILABLE" }, attempts: 3 });
    await waitFor(() => set.states().get("calc") === "ready");
    // A new process: its call count starts again.
    expect(await executor.run({ tool: "mcp.calc.add", input: { a: 1, b: 2 } })).toMatchObject({ status: "success", output: { sum: 3, calls: 1 } });
  });

  it("follows a changed tool list: new schema, new caution, removed tools refused, new tools reported", async () => {
    const { servers, options } = stdioServer();
    const changes: unknown[] = [];
    toolset = await connectMcpServers(servers, { ...options, onToolsChange: (server, change) => changes.push({ server, change }) });
    const executor = executorFor(toolset);
    const add = toolset.tools.find((t) => t.name === "mcp.calc.add");
    expect(add?.input.safeParse({ a: 1, b: 2 }).success).toBe(true);
    expect(add?.sensitive).toBe(false);

    expect(await executor.run({ tool: "mcp.calc.evolve", input: {} })).toMatchObject({ status: "success" });
    await waitFor(() => changes.length > 0);
    expect(changes).toEqual([{ server: "calc", change: { added: ["mul"], removed: ["Echo-Text"], changed: ["add"] } }]);
    expect(add?.input.safeParse({ a: 1, b: 2 }).success).toBe(false);
    expect(add?.sensitive).toBe(true);
    expect(await executor.run({ tool: "mcp.calc.add", input: { a: 1, b: 2, c: 3 } })).toMatchObject({ status: "success", output: { sum: 6 } });
    expect(await executor.run({ tool: "mcp.calc.echo-text", input: { text: "hi" } })).toMatchObject({ status: "failed", attempts: 1, error: { code: "MCP_TOOL_REMOVED", message: expect.stringContaining("no longer offers") } });
    // Registered at the next start: allow-lists are fixed for a process's life.
    expect(toolset.tools.map((t) => t.name)).not.toContain("mcp.calc.mul");
  });

  it("fails the start naming a required server that did not answer in its start time", async () => {
    const servers = config({ name: "ghost", transport: "stdio", command: join(tmpdir(), "no-such-mcp-server"), startTimeoutMs: 300 });
    const started = Date.now();
    await expect(connectMcpServers(servers, { stderr: "ignore", reconnect: { initialDelayMs: 50 } })).rejects.toMatchObject({ code: "MCP_UNAVAILABLE", message: expect.stringContaining('MCP server "ghost"') });
    // Tried again until its start time was up, not given up at the first refusal.
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it("leaves out an optional server that does not answer, and starts with the others", async () => {
    const { servers } = stdioServer();
    const ghost = config({ name: "ghost", transport: "stdio", command: join(tmpdir(), "no-such-mcp-server"), startTimeoutMs: 200, required: false });
    toolset = await connectMcpServers([...servers, ...ghost], { stderr: "ignore", reconnect: { initialDelayMs: 50 } });
    expect(toolset.tools.map((t) => t.name).sort()).toEqual(["mcp.calc.add", "mcp.calc.echo-text", "mcp.calc.evolve"]);
    expect([...toolset.skipped.keys()]).toEqual(["ghost"]);
    expect(toolset.skipped.get("ghost")?.message).toContain('MCP server "ghost"');
  });
});

describe("MCP tools over Streamable HTTP", () => {
  it("waits at start for a server that begins answering within its start time", async () => {
    const port = await startHttpServer();
    children.pop()?.kill("SIGKILL");
    const connecting = connectMcpServers(config({ name: "late", transport: "http", url: `http://127.0.0.1:${port}/mcp`, startTimeoutMs: 5_000 }), { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await startHttpServer(port);
    toolset = await connecting;
    expect(toolset.states().get("late")).toBe("ready");
    expect(await executorFor(toolset).run({ tool: "mcp.late.add", input: { a: 2, b: 2 } })).toMatchObject({ status: "success", output: { sum: 4 } });
  });

  it("lists and calls tools on a loopback server, and recovers after the server is killed and restarted", async () => {
    const port = await startHttpServer();
    toolset = await connectMcpServers(config({ name: "web", transport: "http", url: `http://127.0.0.1:${port}/mcp` }), { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    const set = toolset;
    expect(set.tools.map((t) => t.name).sort()).toEqual(["mcp.web.add", "mcp.web.echo-text", "mcp.web.evolve"]);
    const executor = executorFor(set);
    expect(await executor.run({ tool: "mcp.web.add", input: { a: 20, b: 22 } })).toMatchObject({ status: "success", output: { sum: 42 } });

    children.pop()?.kill("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const during = await executor.run({ tool: "mcp.web.add", input: { a: 1, b: 1 } });
    expect(during).toMatchObject({ status: "failed", error: { code: "MCP_UNAVAILABLE" } });
    expect(set.states().get("web")).not.toBe("ready");

    await startHttpServer(port);
    await waitFor(() => set.states().get("web") === "ready");
    expect(await executor.run({ tool: "mcp.web.add", input: { a: 1, b: 1 } })).toMatchObject({ status: "success", output: { sum: 2, calls: 1 } });
  });
});

describe("MCP configuration", () => {
  it("names the field and the expected form when a server entry is wrong", () => {
    const bad = McpServersSchema.safeParse([{ name: "Web!", transport: "http", url: "ftp://x" }, { name: "fs", transport: "smoke" }]);
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["0.name", "0.url", "1.transport"]));
    expect(McpServersSchema.safeParse([{ name: "a", transport: "stdio", command: "x" }, { name: "a", transport: "stdio", command: "y" }]).success).toBe(false);
  });
});
