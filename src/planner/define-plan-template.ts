import type { Language, Subtask } from "../core/index.js";
import { CsAgentsError } from "../core/index.js";

/** What a template's `match` found in the words of a task. */
export interface TemplateMatch {
  readonly params: Record<string, unknown>;
}

export interface PlanTemplateSpec {
  /** Stable name; the plan's source becomes `template:<name>`. */
  readonly name: string;
  /** One line for users: what tasks this template plans. */
  readonly description: string;
  /** Phrasings that match, shown when nothing does. */
  readonly examples: readonly string[];
  /**
   * Returns the parameters when the task is one this template plans, undefined otherwise.
   * Throws InvalidInputError when it is, but a parameter is wrong (an unknown quarter).
   */
  readonly match: (description: string, language: Language) => TemplateMatch | undefined;
  /** The subtasks for the parameters `match` returned. */
  readonly build: (params: Record<string, unknown>, language: Language) => readonly Subtask[];
}

export type PlanTemplate = PlanTemplateSpec;

const TEMPLATE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * Defines a plan template for the built-in planner.
 * @throws CsAgentsError (INVALID_TEMPLATE) when the definition itself is wrong.
 */
export function definePlanTemplate(spec: PlanTemplateSpec): PlanTemplate {
  if (!TEMPLATE_NAME.test(spec.name)) {
    throw new CsAgentsError("INVALID_TEMPLATE", `template name "${spec.name}" must match ${TEMPLATE_NAME}`);
  }
  if (spec.examples.length === 0) {
    throw new CsAgentsError("INVALID_TEMPLATE", `template "${spec.name}" needs at least one example phrasing`);
  }
  return spec;
}
