import type { Tool } from "../tools/index.js";
import { McpConnection, type McpConnectionOptions, type McpConnectionState } from "./mcp-connection.js";
import type { McpServerConfig } from "./mcp-server-config.js";
import { mcpTool, mcpToolName } from "./mcp-tool.js";

/** The tools of the configured MCP servers, and the connections behind them. */
export interface McpToolset {
  /** `mcp.<server>.<tool>` tools, for the registry. */
  readonly tools: readonly Tool[];
  /** Agent name → MCP tool names it may call (from each server's `agents`). */
  readonly grants: ReadonlyMap<string, readonly string[]>;
  /** Servers with `required: false` that did not answer at start, and why; their tools are missing. */
  readonly skipped: ReadonlyMap<string, Error>;
  /** Each server's connection state, by server name. */
  states(): ReadonlyMap<string, McpConnectionState>;
  /** Closes every connection (stdio servers' processes end). */
  close(): Promise<void>;
}

/**
 * Connects to every server, lists its tools and turns them into registry tools. Servers are
 * connected in parallel, each given its `startTimeoutMs` to answer. A required server that does
 * not answer fails the start (its tools would be missing from every allow-list), naming it; an
 * optional one is left out and reported in `skipped`. After the start, a dropped server is
 * reconnected in the background and its tools fail with MCP_UNAVAILABLE meanwhile; a changed
 * tool list is followed (see `mcpTool`), and tools a server adds are reported through
 * `onToolsChange`, to be registered at the next start.
 * @throws ToolError (MCP_UNAVAILABLE) naming the required server that could not be reached; the
 *   connections already made are closed first.
 */
export async function connectMcpServers(servers: readonly McpServerConfig[], options: McpConnectionOptions = {}): Promise<McpToolset> {
  const connections = servers.map((server) => new McpConnection(server, options));
  const closeAll = async () => {
    await Promise.all(connections.map((c) => c.close()));
  };
  const listed = await Promise.allSettled(
    connections.map(async (connection) => {
      await connection.connectWithin(connection.server.startTimeoutMs);
      return { connection, infos: await connection.listTools() };
    }),
  );
  const skipped = new Map<string, Error>();
  for (const [i, result] of listed.entries()) {
    if (result.status === "fulfilled") continue;
    const connection = connections[i] as McpConnection;
    if (connection.server.required) {
      await closeAll();
      throw result.reason;
    }
    skipped.set(connection.server.name, result.reason as Error);
    await connection.close();
  }
  const tools: Tool[] = [];
  const grants = new Map<string, string[]>();
  for (const result of listed) {
    if (result.status !== "fulfilled") continue;
    const { connection, infos } = result.value;
    const taken = new Set<string>();
    for (const info of infos) {
      let name = mcpToolName(connection.server.name, info.name);
      for (let i = 2; taken.has(name); i++) name = `${mcpToolName(connection.server.name, info.name).slice(0, 60)}_${i}`;
      taken.add(name);
      tools.push(mcpTool(connection, info, name));
    }
    for (const agent of connection.server.agents) grants.set(agent, [...(grants.get(agent) ?? []), ...taken]);
  }
  return {
    tools,
    grants,
    skipped,
    states: () => new Map(connections.map((c) => [c.server.name, c.state])),
    close: closeAll,
  };
}
