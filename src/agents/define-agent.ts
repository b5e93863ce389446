import { CsAgentsError } from "../core/index.js";
import type { Decision, TurnContext } from "./model.js";

/** A deterministic policy for the built-in rules model: the next step from what happened so far. */
export type RulesPolicy = (context: TurnContext) => Decision;

/** A model's decision to finish a subtask. */
export type FinishDecision = Extract<Decision, { readonly type: "finish" }>;

/**
 * Turns a model's `finish` into the subtask's result from the calls it made: the agent's own
 * check of what "done" means, whichever model decided (rules or an LLM). It may add the
 * artifacts the calls produced, or refuse the finish with a `fail` decision saying why.
 * Must be deterministic for the same history: a resumed run applies it to journaled decisions.
 */
export type FinishHook = (context: TurnContext, decision: FinishDecision) => Promise<Decision>;

export interface AgentSpec {
  readonly name: string;
  readonly role: string;
  readonly instructions: string;
  /** Names of the tools this agent may call; anything else is refused. */
  readonly tools: readonly string[];
  /** Policy for the built-in rules model. Default: call the subtask's suggested tool once. */
  readonly rules?: RulesPolicy;
  /** Most tool calls per subtask. Default 20. */
  readonly maxSteps?: number;
  /** Checks and completes a finish (see FinishHook). Default: the model's finish as it is. */
  readonly finish?: FinishHook;
}

export interface Agent {
  readonly name: string;
  readonly role: string;
  readonly instructions: string;
  readonly tools: readonly string[];
  readonly rules: RulesPolicy | undefined;
  readonly maxSteps: number;
  readonly finish?: FinishHook;
}

const AGENT_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * Defines an agent: a named role, its instructions and the tools it may call.
 * @throws CsAgentsError (INVALID_AGENT) when the definition itself is wrong.
 */
export function defineAgent(spec: AgentSpec): Agent {
  if (!AGENT_NAME.test(spec.name)) {
    throw new CsAgentsError("INVALID_AGENT", `agent name "${spec.name}" must match ${AGENT_NAME}`);
  }
  if (spec.tools.length === 0) throw new CsAgentsError("INVALID_AGENT", `agent "${spec.name}" needs at least one tool`);
  const maxSteps = spec.maxSteps ?? 20;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new CsAgentsError("INVALID_AGENT", `agent "${spec.name}": maxSteps must be a whole number >= 1`);
  }
  return {
    name: spec.name,
    role: spec.role,
    instructions: spec.instructions,
    tools: [...spec.tools],
    rules: spec.rules,
    maxSteps,
    ...(spec.finish ? { finish: spec.finish } : {}),
  };
}
