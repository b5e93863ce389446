import type { Artifact, ErrorInfo, Language, Subtask, SubtaskResult } from "../core/index.js";
import { CancelledError } from "../core/index.js";
import type { ToolCallResult } from "../tools/index.js";
import type { Agent } from "./define-agent.js";
import type { AgentModel, Turn } from "./model.js";

export interface CarryOutOptions {
  readonly agent: Agent;
  readonly subtask: Subtask;
  readonly language: Language;
  readonly dependencies: Readonly<Record<string, SubtaskResult>>;
  readonly model: AgentModel;
  /** Makes call number `n` (0-based) of this subtask; the engine journals it. */
  readonly callTool: (tool: string, input: Record<string, unknown>, n: number) => Promise<ToolCallResult>;
  readonly signal?: AbortSignal;
  /** Told about every call refused because the tool is not in the agent's list (for the audit log). */
  readonly onRefused?: (tool: string, input: Record<string, unknown>) => Promise<void>;
}

export type SubtaskOutcome =
  | { readonly status: "succeeded"; readonly output: unknown; readonly artifacts: readonly Artifact[]; readonly calls: number }
  | { readonly status: "failed"; readonly error: ErrorInfo; readonly calls: number };

/**
 * Runs an agent's decide → call loop for one subtask until the model finishes or fails, or the
 * agent's step budget is spent. A call to a tool outside the agent's list is refused (the
 * model sees the refusal as a failed call) and never reaches the executor.
 * @throws CancelledError when the signal aborts.
 */
export async function carryOut(options: CarryOutOptions): Promise<SubtaskOutcome> {
  const { agent, model } = options;
  const history: Turn[] = [];
  for (;;) {
    if (options.signal?.aborted) throw new CancelledError();
    const context = {
      agent,
      subtask: options.subtask,
      language: options.language,
      dependencies: options.dependencies,
      history,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const decided = await model.decide(context);
    // The agent's own check of a finish: a model saying "done" is not enough.
    const decision = decided.type === "finish" && agent.finish ? await agent.finish(context, decided) : decided;
    if (decision.type === "finish") {
      return { status: "succeeded", output: decision.output, artifacts: decision.artifacts ?? [], calls: history.length };
    }
    if (decision.type === "fail") return { status: "failed", error: decision.error, calls: history.length };
    if (history.length >= agent.maxSteps) {
      return {
        status: "failed",
        error: { code: "MAX_STEPS_EXCEEDED", message: `agent "${agent.name}" made ${agent.maxSteps} calls without finishing` },
        calls: history.length,
      };
    }
    const allowed = agent.tools.includes(decision.tool);
    if (!allowed) await options.onRefused?.(decision.tool, decision.input);
    const result: ToolCallResult = allowed
      ? await options.callTool(decision.tool, decision.input, history.length)
      : {
          status: "failed",
          error: {
            code: "TOOL_NOT_ALLOWED",
            message: `agent "${agent.name}" may not call "${decision.tool}" (allowed: ${agent.tools.join(", ")})`,
          },
          attempts: 0,
          durationMs: 0,
        };
    history.push({ tool: decision.tool, input: decision.input, result });
  }
}
