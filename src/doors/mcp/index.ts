export { createMcpServer, type McpDoorInfo } from "./mcp-server.js";
export { mcpHttpDoor, MCP_PATH } from "./http-door.js";
export { ARTIFACT_TEMPLATE, RUN_TEMPLATE, artifactUri } from "./artifact-resources.js";
export type { ToolProblem } from "./tool-results.js";
