import { z } from "zod";
import { PlanValidationError } from "./errors.js";

const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The longest relative delay of a subtask: 366 days, in milliseconds. */
export const MAX_SUBTASK_DELAY_MS = 366 * 24 * 60 * 60 * 1_000;
const DELAY_EXPECTED = `delayMs must be a whole number of milliseconds from 0 to ${MAX_SUBTASK_DELAY_MS} (366 days)`;

export const SubtaskSchema = z.object({
  id: z.string().regex(ID_PATTERN, "ids are 1-64 lowercase letters, digits, '-' or '_'"),
  title: z.string().min(1).max(500),
  agent: z.string().min(1).max(100),
  instructions: z.string().max(10_000),
  dependsOn: z.array(z.string()),
  /** The tool call the planner suggests; the agent's model decides what is actually called. */
  tool: z.string().min(1).max(200),
  input: z.record(z.string(), z.unknown()),
  /**
   * Not started before this time (ISO 8601 with a zone, e.g. `2027-01-04T09:00:00Z`). While
   * nothing else can run, the run sleeps until then, holding no lease and no worker slot.
   */
  notBefore: z.iso.datetime({ offset: true, error: "notBefore must be an ISO 8601 time with a zone, like 2027-01-04T09:00:00Z" }).optional(),
  /**
   * Not started before this many milliseconds after the run started (when its plan was first
   * made; that time is journaled with the plan, so a restart does not push the due time later).
   * With `notBefore` as well, the later of the two holds.
   */
  delayMs: z.number({ error: DELAY_EXPECTED }).int(DELAY_EXPECTED).min(0, DELAY_EXPECTED).max(MAX_SUBTASK_DELAY_MS, DELAY_EXPECTED).optional(),
});

/**
 * The agent name of a subtask carried out as a run of its own (a child run): its `input` is the
 * child's task, `{ description, input? }`. No registered agent may take this name.
 */
export const CHILD_RUN_AGENT = "run";

/** One node of a plan: who does it, what it depends on, and the call the planner suggests. */
export type Subtask = z.infer<typeof SubtaskSchema>;

export const PlanSchema = z.object({
  /** Which planner or template produced the plan, e.g. `template:quarterly-report`. */
  source: z.string().min(1),
  language: z.enum(["zh", "en"]),
  params: z.record(z.string(), z.unknown()),
  subtasks: z.array(SubtaskSchema),
  /** Tokens the planner's model requests cost; journaled with the plan so a resumed run keeps them. */
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number() }).optional(),
  /** Why this planner's plan was used instead of the one asked first (a fallback says why). */
  note: z.string().optional(),
});

export type Plan = z.infer<typeof PlanSchema>;

/**
 * When a subtask may start, as epoch ms: the later of its `notBefore` and `delayMs` after
 * `runStartedAt` (the plan step's start, epoch ms); 0 when it has neither.
 */
export function subtaskDueAt(subtask: { readonly notBefore?: string | undefined; readonly delayMs?: number | undefined }, runStartedAt: number): number {
  const at = subtask.notBefore === undefined ? 0 : Date.parse(subtask.notBefore);
  const after = subtask.delayMs === undefined || !Number.isFinite(runStartedAt) ? 0 : runStartedAt + subtask.delayMs;
  return Math.max(at, after);
}
export type Language = Plan["language"];

export const MAX_PLAN_SUBTASKS = 100;

/**
 * Checks the rules every plan must keep before it runs: not empty, bounded, unique ids, known
 * agents, no dependency on a missing subtask, no cycle.
 * @throws PlanValidationError (PLAN_INVALID) listing every broken rule; a cycle is named as
 *   `a → b → a`.
 */
export function validatePlan(plan: Plan, knownAgents: ReadonlySet<string>): Plan {
  const issues: string[] = [];
  const parsed = PlanSchema.safeParse(plan);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(`${issue.path.join(".")}: ${issue.message}`);
    throw new PlanValidationError(issues);
  }
  const { subtasks } = parsed.data;
  if (subtasks.length === 0) throw new PlanValidationError(["the plan has no subtasks"]);
  if (subtasks.length > MAX_PLAN_SUBTASKS) {
    issues.push(`the plan has ${subtasks.length} subtasks; at most ${MAX_PLAN_SUBTASKS} are allowed`);
  }
  const ids = new Set<string>();
  for (const subtask of subtasks) {
    if (ids.has(subtask.id)) issues.push(`duplicate subtask id "${subtask.id}"`);
    ids.add(subtask.id);
  }
  for (const subtask of subtasks) {
    if (subtask.agent === CHILD_RUN_AGENT) {
      const description = subtask.input["description"];
      const input = subtask.input["input"];
      if (typeof description !== "string" || description.trim().length === 0) issues.push(`subtask "${subtask.id}" is a child run (agent "run"): its input needs description, the child's task, as non-empty text`);
      if (input !== undefined && (typeof input !== "object" || input === null || Array.isArray(input))) issues.push(`subtask "${subtask.id}" is a child run (agent "run"): its input.input must be an object when given`);
    } else if (!knownAgents.has(subtask.agent)) {
      issues.push(`subtask "${subtask.id}" names unknown agent "${subtask.agent}" (known: ${[...knownAgents].sort().join(", ")})`);
    }
    for (const dep of subtask.dependsOn) {
      if (!ids.has(dep)) issues.push(`subtask "${subtask.id}" depends on "${dep}", which is not in the plan`);
      if (dep === subtask.id) issues.push(`subtask "${subtask.id}" depends on itself`);
    }
  }
  const cycle = findCycle(subtasks);
  if (cycle) issues.push(`dependency cycle (each depends on the next): ${cycle.join(" → ")}`);
  if (issues.length > 0) throw new PlanValidationError(issues);
  return parsed.data;
}

/** Returns one cycle as a closed path of ids (`a, b, a`), or undefined when the graph is a DAG. */
export function findCycle(subtasks: readonly Pick<Subtask, "id" | "dependsOn">[]): string[] | undefined {
  const deps = new Map(subtasks.map((s) => [s.id, s.dependsOn]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];

  const visit = (id: string): string[] | undefined => {
    const seen = state.get(id);
    if (seen === "done") return undefined;
    if (seen === "visiting") return [...path.slice(path.indexOf(id)), id];
    state.set(id, "visiting");
    path.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep) || dep === id) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, "done");
    return undefined;
  };

  for (const s of subtasks) {
    const cycle = visit(s.id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Subtasks in an order where every dependency comes first (the plan must be valid). */
export function topologicalOrder(subtasks: readonly Subtask[]): Subtask[] {
  const done = new Set<string>();
  const order: Subtask[] = [];
  const pending = [...subtasks];
  while (pending.length > 0) {
    const index = pending.findIndex((s) => s.dependsOn.every((d) => done.has(d)));
    if (index < 0) throw new PlanValidationError(["the plan has a dependency cycle"]);
    const [next] = pending.splice(index, 1);
    if (!next) break;
    done.add(next.id);
    order.push(next);
  }
  return order;
}
