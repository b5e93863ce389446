import type { Artifact, ErrorInfo, Language, Subtask, SubtaskResult } from "../core/index.js";
import type { ToolCallResult } from "../tools/index.js";
import type { Agent } from "./define-agent.js";

/** One tool call an agent made in this subtask and what came back. */
export interface Turn {
  readonly tool: string;
  readonly input: Record<string, unknown>;
  readonly result: ToolCallResult;
}

/** Everything a model sees when it decides an agent's next step. */
export interface TurnContext {
  readonly agent: Agent;
  readonly subtask: Subtask;
  readonly language: Language;
  /** The results of the subtasks this one depends on, by subtask id. */
  readonly dependencies: Readonly<Record<string, SubtaskResult>>;
  /** This subtask's calls so far, oldest first. */
  readonly history: readonly Turn[];
  /** Receives the model's text as it streams (the engine turns it into `model.delta` events). */
  readonly onText?: (delta: string) => void;
  /** The run's stop (a cancel, a budget's deadline): a model request in flight is aborted. */
  readonly signal?: AbortSignal;
}

/** Tokens one model decision cost, as the endpoint reported them. */
export interface ModelUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /** Input tokens read from the provider's prompt cache, when it reports them. */
  readonly cachedInputTokens?: number;
}

/**
 * The next step: call a tool, finish the subtask with an output, or give up. `usage` is what
 * the decision cost (LLMs); it is journaled with the decision, so a resumed run keeps its count.
 * `reasoning` is what a reasoning model thought before answering: journaled, never handed on.
 */
export type Decision = (
  | { readonly type: "call"; readonly tool: string; readonly input: Record<string, unknown> }
  | { readonly type: "finish"; readonly output: unknown; readonly artifacts?: readonly Artifact[] }
  | { readonly type: "fail"; readonly error: ErrorInfo }
) & { readonly usage?: ModelUsage; readonly reasoning?: string };

/**
 * The port every model adapter implements: the built-in rules model and, later, LLMs.
 * A decision must be deterministic for the same context or be journaled by the caller.
 */
export interface AgentModel {
  readonly name: string;
  /**
   * True when the same context always gives the same decision (the rules model): replay can
   * ask again. False for LLMs: the engine journals every decision and replays the record.
   */
  readonly deterministic: boolean;
  decide(context: TurnContext): Promise<Decision>;
}
