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
  | (At & { readonly type: "run.finished"; readonly status: Extract<RunStatus, "succeeded" | "failed" | "cancelled" | "waiting_approval">; readonly durationMs: number; readonly error?: ErrorInfo });

export type EngineEventType = EngineEvent["type"];
export type EventListener = (event: EngineEvent) => void;
