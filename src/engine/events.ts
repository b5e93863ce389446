import type { ModelUsage } from "../agents/index.js";
import type { ErrorInfo, Plan, RunStatus } from "../core/index.js";

interface At {
  readonly runId: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** What the engine tells the world while a run goes on; the CLI renders these, the API streams them. */
export type EngineEvent =
  | (At & { readonly type: "run.started" })
  | (At & { readonly type: "plan.created"; readonly plan: Plan; readonly replayed: boolean })
  | (At & { readonly type: "subtask.started"; readonly subtaskId: string; readonly agent: string })
  | (At & { readonly type: "subtask.finished"; readonly subtaskId: string; readonly durationMs: number; readonly replayed: boolean })
  | (At & { readonly type: "subtask.failed"; readonly subtaskId: string; readonly durationMs: number; readonly error: ErrorInfo })
  | (At & { readonly type: "subtask.cancelled"; readonly subtaskId: string })
  | (At & { readonly type: "tool.started"; readonly subtaskId: string; readonly tool: string; readonly stepKey: string })
  | (At & {
      readonly type: "tool.finished";
      readonly subtaskId: string;
      readonly tool: string;
      readonly stepKey: string;
      readonly durationMs: number;
      readonly attempts: number;
      readonly replayed: boolean;
    })
  | (At & {
      readonly type: "tool.failed";
      readonly subtaskId: string;
      readonly tool: string;
      readonly stepKey: string;
      readonly durationMs: number;
      readonly attempts: number;
      readonly error: ErrorInfo;
    })
  /** A journaled model decision was made (or read back on replay, with `replayed`). */
  | (At & {
      readonly type: "model.finished";
      readonly subtaskId: string;
      readonly agent: string;
      readonly model: string;
      readonly stepKey: string;
      readonly decision: "call" | "finish" | "fail";
      readonly durationMs: number;
      readonly usage?: ModelUsage;
      readonly replayed: boolean;
    })
  /** Text a model streamed while deciding; not journaled (the decision is). */
  | (At & { readonly type: "model.delta"; readonly subtaskId: string; readonly agent: string; readonly stepKey: string; readonly text: string })
  /** A tool asked the run to sleep: it gives up its lease until `wakeAt` (epoch ms). */
  | (At & { readonly type: "run.sleeping"; readonly stepKey: string; readonly wakeAt: number })
  /** A sleeping run's timer was due when a worker took it again: the run goes on. */
  | (At & { readonly type: "run.woke"; readonly stepKey: string })
  /** A tool asked a person (`ctx.ask`): the run waits for the answer without a lease. `expiresAt` (epoch ms) when a default answer is taken then. */
  | (At & { readonly type: "run.waiting_input"; readonly stepKey: string; readonly question: string; readonly expiresAt?: number })
  /** A subtask's child run was submitted (`agent: "run"`): the parent waits for it without a lease. */
  | (At & { readonly type: "child.started"; readonly subtaskId: string; readonly stepKey: string; readonly childRunId: string })
  /** A subtask's child run reached a final status (`status`), read back by its parent. */
  | (At & { readonly type: "child.finished"; readonly subtaskId: string; readonly stepKey: string; readonly childRunId: string; readonly status: string })
  /** The run waits for its child runs without a lease; the first to finish queues it again. */
  | (At & { readonly type: "run.waiting_children"; readonly stepKey: string; readonly childRunIds: readonly string[] })
  | (At & { readonly type: "run.finished"; readonly status: Extract<RunStatus, "succeeded" | "failed" | "cancelled" | "waiting_approval" | "sleeping" | "waiting_input" | "waiting_children">; readonly durationMs: number; readonly error?: ErrorInfo });

export type EngineEventType = EngineEvent["type"];
export type EventListener = (event: EngineEvent) => void;
