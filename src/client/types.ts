import type { operations } from "./openapi.js";

// Request and answer types of each operation, read from the generated OpenAPI types so that a
// change of the API changes them (and breaks code that no longer fits) at compile time.

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;

/** The JSON body an operation answers `status` with. */
export type AnswerOf<Id extends keyof operations, Status extends keyof operations[Id]["responses"]> = Json<operations[Id]["responses"][Status]>;
/** The JSON body an operation takes. */
export type BodyOf<Id extends keyof operations> = operations[Id] extends { requestBody: infer R } ? Json<NonNullable<R>> : never;
/** The query parameters an operation takes. */
export type QueryOf<Id extends keyof operations> = NonNullable<operations[Id]["parameters"]["query"]>;

export type SubmitTaskBody = BodyOf<"submitTask">;
export type RunDetail = AnswerOf<"getTask", 200>;
export type RunList = AnswerOf<"listTasks", 200>;
export type RunSummary = RunList["items"][number];
export type RunStatus = RunSummary["status"];
export type ListTasksQuery = QueryOf<"listTasks">;
export type StepList = AnswerOf<"getTaskSteps", 200>;
export type ApprovalList = AnswerOf<"listApprovals", 200>;
export type Approval = ApprovalList["items"][number];
export type ApprovalDecision = BodyOf<"decideApproval">;
export type ApprovalResult = AnswerOf<"decideApproval", 200>;
export type InputAnswerResult = AnswerOf<"answerTask", 200>;
/** What to fork from: the step key, and optionally its replacement output and a new task input. */
export type ForkBody = Omit<BodyOf<"forkTask">, "idempotencyKey">;
export type OpenQuestion = RunDetail["questions"][number];
export type ToolList = AnswerOf<"listTools", 200>;
export type AgentList = AnswerOf<"listAgents", 200>;
export type ScheduleBody = BodyOf<"createSchedule">;
export type Schedule = AnswerOf<"getSchedule", 200>;
export type ScheduleList = AnswerOf<"listSchedules", 200>;

/** One Server-Sent Event of a run: its id in the run's event log, its type, its JSON data. */
export interface RunEvent {
  readonly id: number;
  /** e.g. run.running, plan.created, subtask.started, tool.finished, run.succeeded */
  readonly type: string;
  readonly data: unknown;
}

/**
 * A piece of a model's answer while it is generated (`model.delta`): not part of the run's
 * event log (no id, not stored); the journaled model step holds the whole answer.
 */
export interface ModelTextDelta {
  readonly subtaskId: string;
  readonly agent: string;
  /** The model step the text belongs to, e.g. `subtask/write/model/2`. */
  readonly stepKey: string;
  readonly text: string;
  /** When it was generated (ISO 8601). */
  readonly at: string;
}

/** What submit gives back: the run, and whether an earlier request with the same key made it. */
export interface Submission {
  readonly run: RunDetail;
  /** true: the Idempotency-Key was seen before and this is the run it created. */
  readonly replayed: boolean;
  readonly idempotencyKey: string;
}

/** A downloaded artifact. */
export interface ArtifactDownload {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}
