import type { Agent } from "../agents/index.js";
import { createQuarterlyReportTemplate, financeAgents, financeTools } from "../demo/finance/index.js";
import type { PlanTemplate } from "../planner/index.js";
import type { Tool } from "../tools/index.js";

/** What ships with cs-agents: the quarterly-report domain. */
export const builtinTools = (): readonly Tool[] => financeTools;
export const builtinAgents = (): readonly Agent[] => financeAgents;
/** The built-in templates; `now` is today for "last quarter". */
export const builtinTemplates = (now: () => Date): readonly PlanTemplate[] => [createQuarterlyReportTemplate({ now })];
