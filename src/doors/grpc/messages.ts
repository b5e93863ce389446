import type { z } from "zod";
import type { schemas } from "../../api/index.js";

// REST bodies (src/api/schemas.ts) ↔ the messages of proto/cs_agents/v1/tasks.proto, as the
// proto loader reads and writes them (field names as in the .proto, enums as names).

type RunDetail = z.output<typeof schemas.RunDetailSchema>;
type RunSummary = z.output<typeof schemas.RunSummarySchema>;
type SubtaskView = z.output<typeof schemas.SubtaskViewSchema>;
type Approval = z.output<typeof schemas.ApprovalSchema>;
type ToolList = z.output<typeof schemas.ToolListSchema>;
type AgentList = z.output<typeof schemas.AgentListSchema>;
type ApprovalResult = z.output<typeof schemas.ApprovalResultSchema>;
type InputResult = z.output<typeof schemas.InputResultSchema>;

export interface Timestamp {
  readonly seconds: number;
  readonly nanos: number;
}

export function timestamp(iso: string | null | undefined): Timestamp | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const seconds = Math.floor(ms / 1_000);
  return { seconds, nanos: (ms - seconds * 1_000) * 1_000_000 };
}

/** "waiting_approval" → "RUN_STATUS_WAITING_APPROVAL". */
export function runStatusName(status: string): string {
  return `RUN_STATUS_${status.toUpperCase()}`;
}

/** "RUN_STATUS_WAITING_APPROVAL" → "waiting_approval"; undefined for UNSPECIFIED or unknown. */
export function runStatusValue(name: string): string | undefined {
  const match = /^RUN_STATUS_([A-Z_]+)$/.exec(name);
  return match && match[1] !== "UNSPECIFIED" ? match[1]!.toLowerCase() : undefined;
}

/** JSON text of a value; "" for none, so an absent payload costs nothing on the wire. */
function json(value: unknown): string {
  return value === undefined || value === null ? "" : JSON.stringify(value);
}

function errorInfo(error: { code: string; message: string } | null | undefined): { code: string; message: string } | null {
  return error ? { code: error.code, message: error.message } : null;
}

function optionalNumber(value: number | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : value;
}

export function taskSummaryMessage(run: RunSummary): Record<string, unknown> {
  return { id: run.id, status: runStatusName(run.status), description: run.description, created_at: timestamp(run.createdAt), updated_at: timestamp(run.updatedAt), priority: run.priority };
}

function subtaskMessage(subtask: SubtaskView): Record<string, unknown> {
  return {
    id: subtask.id,
    title: subtask.title,
    agent: subtask.agent,
    depends_on: subtask.dependsOn,
    status: subtask.status,
    calls: subtask.calls,
    started_at: timestamp(subtask.startedAt),
    finished_at: timestamp(subtask.finishedAt),
    duration_ms: optionalNumber(subtask.durationMs),
    wall_ms: optionalNumber(subtask.wallMs),
    error: errorInfo(subtask.error),
    output_json: json(subtask.output),
  };
}

export function taskMessage(run: RunDetail): Record<string, unknown> {
  return {
    ...taskSummaryMessage(run),
    input_json: json(run.input),
    plan_json: json(run.plan),
    subtasks: run.subtasks.map(subtaskMessage),
    pending_approvals: run.pendingApprovals,
    result_json: json(run.result),
    error: errorInfo(run.error),
    artifacts: run.artifacts.map((a) => ({ name: a.name, media_type: a.mediaType, bytes: a.bytes, href: a.href })),
    duration_ms: optionalNumber(run.durationMs),
    wake_at: timestamp(run.wakeAt),
    callback: run.callback ? { url: run.callback.url, status: run.callback.status, attempts: run.callback.attempts, last_error: run.callback.lastError ?? "" } : null,
    questions: run.questions.map((q) => ({ step: q.step, question: q.question, schema_json: json(q.schema), expires_at: timestamp(q.expiresAt) })),
  };
}

export function inputResultMessage(result: InputResult): Record<string, unknown> {
  return { run_id: result.runId, step: result.step, run_status: runStatusName(result.runStatus) };
}

export function approvalMessage(approval: Approval): Record<string, unknown> {
  return {
    id: approval.id,
    run_id: approval.runId,
    step_key: approval.stepKey,
    kind: approval.kind,
    tool: approval.tool,
    input_json: json(approval.input),
    args_hash: approval.argsHash,
    requested_at: timestamp(approval.requestedAt),
    expires_at: timestamp(approval.expiresAt),
  };
}

export function approvalResultMessage(result: ApprovalResult): Record<string, unknown> {
  return { id: result.id, run_id: result.runId, step_key: result.stepKey, decision: result.decision, run_status: runStatusName(result.runStatus) };
}

export function toolsMessage(list: ToolList): Record<string, unknown> {
  return {
    items: list.items.map((t) => ({
      name: t.name,
      description: t.description,
      idempotent: t.idempotent,
      sensitive: t.sensitive,
      cached: t.cached,
      batched: t.batched,
      timeout_ms: t.timeoutMs,
      input_schema_json: json(t.input),
      output_schema_json: json(t.output),
    })),
  };
}

export function agentsMessage(list: AgentList): Record<string, unknown> {
  return { items: list.items.map((a) => ({ name: a.name, role: a.role, instructions: a.instructions, tools: a.tools })) };
}
