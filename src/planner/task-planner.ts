import type { Language, Plan, Subtask, Task } from "../core/index.js";
import { parseTask, PlanningError, validatePlan } from "../core/index.js";
import type { PlanTemplate } from "./define-plan-template.js";

/** The port every planner implements: the built-in template planner now, an LLM planner later. */
export interface Planner {
  /**
   * The same task always gets the same plan (templates, a fixed plan). The engine then commits
   * the plan with the run's first step instead of on its own: after a crash before that step
   * it plans again and gets the same plan. Default false: the plan is committed at once.
   */
  readonly deterministic?: boolean;
  /** The model that plans, when a model does: its plans are audited as model outputs. */
  readonly model?: string;
  /**
   * The whole plan: subtasks plus where they came from, the language and parameters. `signal`
   * is the run's: when it aborts (a cancel, the time budget), planning stops at once.
   */
  plan(task: Task, options?: { readonly signal?: AbortSignal }): Promise<Plan>;
  /** Just the subtasks of `plan(task)`. */
  decompose(task: Task): Promise<Subtask[]>;
}

export interface TaskPlannerOptions {
  readonly templates: readonly PlanTemplate[];
  /** When given, every plan is validated against these agent names. */
  readonly knownAgents?: ReadonlySet<string>;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Chinese when the task has any CJK ideograph, English otherwise. */
export function detectLanguage(text: string): Language {
  return CJK.test(text) ? "zh" : "en";
}

/**
 * The built-in offline planner: the first template whose `match` accepts the task builds the
 * plan. Works without network or model.
 * @throws InvalidInputError (INVALID_INPUT) for an empty or oversized task or a bad parameter;
 *   PlanningError (PLANNING_FAILED) when no template matches, listing what can be planned;
 *   PlanValidationError (PLAN_INVALID) when a template builds an invalid plan.
 */
export class TaskPlanner implements Planner {
  readonly deterministic = true;
  readonly #templates: readonly PlanTemplate[];
  readonly #knownAgents: ReadonlySet<string> | undefined;

  constructor(options: TaskPlannerOptions) {
    this.#templates = options.templates;
    this.#knownAgents = options.knownAgents;
  }

  // async so that every failure, the synchronous ones too, arrives as a rejection.
  async plan(task: Task): Promise<Plan> {
    return this.#planNow(task);
  }

  async decompose(task: Task): Promise<Subtask[]> {
    return [...(await this.plan(task)).subtasks];
  }

  /** What the planner can do, for help texts and errors. */
  capabilities(): readonly { name: string; description: string; examples: readonly string[] }[] {
    return this.#templates.map(({ name, description, examples }) => ({ name, description, examples }));
  }

  #planNow(task: Task): Plan {
    const { description } = parseTask(task);
    const language = detectLanguage(description);
    for (const template of this.#templates) {
      const match = template.match(description, language);
      if (!match) continue;
      const plan: Plan = {
        source: `template:${template.name}`,
        language,
        params: match.params,
        subtasks: [...template.build(match.params, language)],
      };
      return this.#knownAgents ? validatePlan(plan, this.#knownAgents) : plan;
    }
    const shown = description.length > 80 ? `${description.slice(0, 77)}...` : description;
    const can = this.#templates.map((t) => (t.examples[0] ? `${t.name} (e.g. "${t.examples[0]}")` : t.name)).join(", ");
    throw new PlanningError(noMatchMessage(shown, can), {
      i18n: can === "" ? { key: "planner.no-templates", params: { task: shown } } : { key: "planner.no-plan", params: { task: shown, templates: can } },
    });
  }
}

/** One line (the CLI prints errors as one line): each template by name with one example. */
function noMatchMessage(shown: string, can: string): string {
  return (
    `the built-in planner has no plan for "${shown}"; it can plan: ${can || "nothing (no templates registered)"}; ` +
    "add a plan template with a plugin (--plugin), or configure an LLM planner"
  );
}
