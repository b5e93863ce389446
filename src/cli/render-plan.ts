import type { Plan } from "../core/index.js";

/** The plan as a tree: each subtask under the last of its dependencies. */
export function renderPlanTree(plan: Plan): string {
  const children = new Map<string | undefined, Plan["subtasks"][number][]>();
  for (const s of plan.subtasks) {
    const parent = s.dependsOn.at(-1);
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const lines = [`plan (${plan.source}, ${plan.language}, ${JSON.stringify(plan.params)})`];
  const walk = (parent: string | undefined, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((s, index) => {
      const last = index === list.length - 1;
      const also = s.dependsOn.length > 1 ? ` (also after ${s.dependsOn.slice(0, -1).join(", ")})` : "";
      lines.push(`${prefix}${last ? "└─" : "├─"} ${s.id}: ${s.title} [agent ${s.agent}, tool ${s.tool}]${also}`);
      walk(s.id, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk(undefined, "");
  return lines.join("\n");
}

/** The stable JSON form `cs-agents plan --json` prints. */
export function planJson(plan: Plan): { subtasks: { id: string; title: string; agent: string; dependsOn: string[] }[] } & Omit<Plan, "subtasks"> {
  return {
    source: plan.source,
    language: plan.language,
    params: plan.params,
    subtasks: plan.subtasks.map((s) => ({ id: s.id, title: s.title, agent: s.agent, dependsOn: [...s.dependsOn], tool: s.tool, input: s.input, instructions: s.instructions })),
  };
}
