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
  /** Each server's connection state, by server name. */
  states(): ReadonlyMap<string, McpConnectionState>;
  /** Closes every connection (stdio servers' processes end). */
  close(): Promise<void>;
}

/**
 * Connects to every server, lists its tools and turns them into registry tools. Servers are
 * connected in parallel; one that cannot be reached at start fails the start (its tools would
 * be missing from every allow-list), naming the server. After the start, a dropped server is
 * reconnected in the background and its tools fail with MCP_UNAVAILABLE meanwhile.
 * @throws ToolError (MCP_UNAVAILABLE) naming the server that could not be reached; the
 *   connections already made are closed first.
 */
export async function connectMcpServers(servers: readonly McpServerConfig[], options: McpConnectionOptions = {}): Promise<McpToolset> {
  const connections = servers.map((server) => new McpConnection(server, options));
  const closeAll = async () => {
    await Promise.all(connections.map((c) => c.close()));
  };
  const listed = await Promise.allSettled(
    connections.map(async (connection) => {
      await connection.connect();
      return { connection, infos: await connection.listTools() };
    }),
  );
  const failed = listed.find((r) => r.status === "rejected");
  if (failed) {
    await closeAll();
    throw failed.reason;
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
    states: () => new Map(connections.map((c) => [c.server.name, c.state])),
    close: closeAll,
  };
}
