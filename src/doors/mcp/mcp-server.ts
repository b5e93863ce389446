import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Caller, Service } from "../../api/index.js";
import { registerResources } from "./artifact-resources.js";
import { registerTools } from "./door-tools.js";

export interface McpDoorInfo {
  /** The version the server reports in `initialize`. */
  readonly version: string;
}

const INSTRUCTIONS =
  "cs-agents runs tasks durably: submit_task plans a task into subtasks that agents carry out with tools. Follow a run with get_task (or submit_task with wait: true), read its report files as resources, and approve or deny steps that wait for a person with approve_step / deny_step.";

/**
 * The MCP server for one caller: every tool and resource acts as `caller` through the service.
 * Over HTTP one is made per request (stateless); over stdio one lives as long as the process.
 */
export function createMcpServer(service: Service, caller: Caller, info: McpDoorInfo): McpServer {
  const server = new McpServer({ name: "cs-agents", version: info.version }, { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS });
  registerTools(server, service, caller);
  registerResources(server, service, caller);
  return server;
}
