export { connectMcpServers, type McpToolset } from "./connect-mcp-servers.js";
export { McpConnection, type McpConnectionOptions, type McpConnectionState, type McpToolsChange, type ReconnectOptions } from "./mcp-connection.js";
export { McpServerConfigSchema, McpServersSchema, type McpServerConfig } from "./mcp-server-config.js";
export { mcpInputSchema, mcpTool, mcpToolName } from "./mcp-tool.js";
