import type { Agent } from "../agents/index.js";
import { financeAgents, financeTools, quarterlyReportTemplate } from "../demo/finance/index.js";
import type { PlanTemplate } from "../planner/index.js";
import type { Tool } from "../tools/index.js";

/** What ships with cs-agents: the quarterly-report domain. */
export const builtinTools = (): readonly Tool[] => financeTools;
export const builtinAgents = (): readonly Agent[] => financeAgents;
export const builtinTemplates = (): readonly PlanTemplate[] => [quarterlyReportTemplate];
