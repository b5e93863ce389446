// A cs-agents plugin whose runs stay alive for a while: the plan "bench paced" is STEPS
// sequential subtasks, each calling a tool that waits PACE_MS. The live-stream bench follows
// runs of it while a worker executes them.
import { defineAgent, definePlanTemplate, defineTool, z } from "../dist/index.js";

export const STEPS = 8;
export const PACE_MS = 150;

export const pacedTool = defineTool({
  name: "bench.paced",
  description: `waits ${PACE_MS} ms, then returns`,
  input: z.object({}),
  output: z.object({}),
  retry: false,
  idempotent: true,
  handler: () => new Promise((resolve) => setTimeout(() => resolve({}), PACE_MS)),
});

export const pacedAgent = defineAgent({
  name: "bench-paced-agent",
  role: "calls the suggested tool once",
  instructions: "",
  tools: [pacedTool.name],
});

const template = definePlanTemplate({
  name: "bench-paced",
  description: `${STEPS} sequential steps of ${PACE_MS} ms each`,
  examples: ["bench paced"],
  match: (description) => (description === "bench paced" ? { params: {} } : undefined),
  build: () =>
    Array.from({ length: STEPS }, (_, i) => ({
      id: `s${i + 1}`,
      title: `step ${i + 1}`,
      agent: pacedAgent.name,
      instructions: "",
      dependsOn: i === 0 ? [] : [`s${i}`],
      tool: pacedTool.name,
      input: {},
    })),
});

export const tools = [pacedTool];
export const agents = [pacedAgent];
export const templates = [template];
