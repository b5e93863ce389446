import { parseTask } from "../../core/index.js";
import { EXIT_OK } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { planJson, renderPlanTree } from "../render-plan.js";

export async function planCommand(context: CommandContext, description: string, options: { json?: boolean }): Promise<number> {
  const task = parseTask({ description });
  const { planner } = await context.runtime();
  const plan = await planner.plan(task);
  context.io.stdout.write(options.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : `${renderPlanTree(plan)}\n`);
  return EXIT_OK;
}
