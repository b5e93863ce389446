import type { z } from "zod";
import type { Scope } from "../auth/index.js";
import * as s from "./schemas.js";

/** A response body: a zod schema (JSON), or a stream/file described by its media type. */
export type ResponseSpec = z.ZodType | { readonly mediaType: string; readonly description: string };

/**
 * One API operation: where it lives, the scope it needs, the schemas its request is validated
 * with and its responses are described by. Routes and /openapi.json are both built from this.
 */
export interface Operation {
  readonly id: string;
  readonly method: "GET" | "POST" | "DELETE";
  /** Fastify form: `/v1/tasks/:id`. */
  readonly path: string;
  readonly summary: string;
  /** null: no token needed. */
  readonly scope: Scope | null;
  readonly params: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly headers?: Readonly<Record<string, string>>;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
}

const SSE = { mediaType: "text/event-stream", description: "Server-Sent Events: `id`, `event`, `data` (JSON); resume with Last-Event-ID" };
const FILE = { mediaType: "application/octet-stream", description: "the artifact, with its own media type" };
const TEXT = { mediaType: "text/plain", description: "Prometheus text exposition" };
const HTML = { mediaType: "text/html", description: "the API reference page" };
const JSON_DOC = { mediaType: "application/json", description: "the OpenAPI 3.1 document" };

export const OPERATIONS = [
  {
    id: "submitTask",
    method: "POST",
    path: "/v1/tasks",
    summary: "Submit a task; with Idempotency-Key, the same key and body return the same run",
    scope: "tasks:write",
    params: s.NoParams,
    body: s.SubmitBody,
    headers: { "Idempotency-Key": "1-200 visible ASCII characters; same key + same body → same run" },
    responses: { 202: s.RunDetailSchema },
  },
  {
    id: "listTasks",
    method: "GET",
    path: "/v1/tasks",
    summary: "List the tenant's runs, newest first",
    scope: "tasks:read",
    params: s.NoParams,
    query: s.ListQuery,
    responses: { 200: s.RunListSchema },
  },
  { id: "getTask", method: "GET", path: "/v1/tasks/:id", summary: "A run: status, plan, subtasks with timings, results, artifact links", scope: "tasks:read", params: s.RunIdParams, responses: { 200: s.RunDetailSchema } },
  {
    id: "taskEvents",
    method: "GET",
    path: "/v1/tasks/:id/events",
    summary: "The run's events as Server-Sent Events until it ends",
    scope: "tasks:read",
    params: s.RunIdParams,
    headers: { "Last-Event-ID": "resume after this event id" },
    responses: { 200: SSE },
  },
  { id: "cancelTask", method: "POST", path: "/v1/tasks/:id/cancel", summary: "Cancel an unfinished run", scope: "tasks:write", params: s.RunIdParams, responses: { 202: s.RunDetailSchema } },
  { id: "getArtifact", method: "GET", path: "/v1/tasks/:id/artifacts/:name", summary: "Download a file the run produced", scope: "tasks:read", params: s.ArtifactParams, responses: { 200: FILE } },
  {
    id: "listApprovals",
    method: "GET",
    path: "/v1/approvals",
    summary: "Steps of the tenant's runs waiting for a person",
    scope: "approvals:write",
    params: s.NoParams,
    query: s.ApprovalsQuery,
    responses: { 200: s.ApprovalListSchema },
  },
  {
    id: "decideApproval",
    method: "POST",
    path: "/v1/approvals/:id",
    summary: "Approve or deny a pending step, bound to its arguments' hash; single use",
    scope: "approvals:write",
    params: s.ApprovalParams,
    body: s.ApprovalBody,
    responses: { 200: s.ApprovalResultSchema },
  },
  {
    id: "answerTask",
    method: "POST",
    path: "/v1/tasks/:id/input",
    summary: "Answer a question a tool asked (a run waiting_input): checked against the question's schema, journaled, the run queued again",
    scope: "approvals:write",
    params: s.RunIdParams,
    body: s.InputBody,
    responses: { 200: s.InputResultSchema },
  },
  {
    id: "forkTask",
    method: "POST",
    path: "/v1/tasks/:id/fork",
    summary: "Fork a run from one of its steps: a new run with the parent's journal up to the step, optionally the step's result or the task input replaced; the parent is untouched",
    scope: "tasks:write",
    params: s.RunIdParams,
    body: s.ForkBody,
    headers: { "Idempotency-Key": "1-200 visible ASCII characters; same key + same body → same fork" },
    responses: { 202: s.RunDetailSchema },
  },
  { id: "listTools", method: "GET", path: "/v1/tools", summary: "Registered tools with their JSON Schemas", scope: "tasks:read", params: s.NoParams, responses: { 200: s.ToolListSchema } },
  { id: "listAgents", method: "GET", path: "/v1/agents", summary: "Registered agents", scope: "tasks:read", params: s.NoParams, responses: { 200: s.AgentListSchema } },
  { id: "listAudit", method: "GET", path: "/v1/audit", summary: "The tenant's audit log entries, hash-chained", scope: "admin", params: s.NoParams, query: s.AuditQuery, responses: { 200: s.AuditListSchema } },
  { id: "getTaskSteps", method: "GET", path: "/v1/tasks/:id/steps", summary: "A run's journaled steps (tool calls, model decisions, approvals) with inputs, outputs, retries, cache hits, tokens and cost; the run's budget use", scope: "tasks:read", params: s.RunIdParams, responses: { 200: s.StepListSchema } },
  { id: "listMcpServers", method: "GET", path: "/v1/mcp-servers", summary: "The MCP servers tools come from, with their connection state", scope: "tasks:read", params: s.NoParams, responses: { 200: s.McpServerListSchema } },
  { id: "verifyAudit", method: "GET", path: "/v1/audit/verification", summary: "Walks the audit chain and the signed checkpoints: verified up to which entry", scope: "admin", params: s.NoParams, responses: { 200: s.AuditVerificationSchema } },
  { id: "createSchedule", method: "POST", path: "/v1/schedules", summary: "Submit a task on a cron (with a time zone) or an interval; one run per tick across replicas", scope: "tasks:write", params: s.NoParams, body: s.ScheduleBody, responses: { 201: s.ScheduleSchema } },
  { id: "listSchedules", method: "GET", path: "/v1/schedules", summary: "The tenant's schedules, oldest first", scope: "tasks:read", params: s.NoParams, responses: { 200: s.ScheduleListSchema } },
  { id: "getSchedule", method: "GET", path: "/v1/schedules/:id", summary: "A schedule: its next tick and what the last tick did", scope: "tasks:read", params: s.ScheduleIdParams, responses: { 200: s.ScheduleSchema } },
  { id: "deleteSchedule", method: "DELETE", path: "/v1/schedules/:id", summary: "Delete a schedule; runs it made stay", scope: "tasks:write", params: s.ScheduleIdParams, responses: { 200: s.ScheduleSchema } },
  { id: "pauseSchedule", method: "POST", path: "/v1/schedules/:id/pause", summary: "Pause a schedule: no ticks until resumed", scope: "tasks:write", params: s.ScheduleIdParams, responses: { 200: s.ScheduleSchema } },
  { id: "resumeSchedule", method: "POST", path: "/v1/schedules/:id/resume", summary: "Resume a schedule from its next tick after now (ticks while paused are not made up)", scope: "tasks:write", params: s.ScheduleIdParams, responses: { 200: s.ScheduleSchema } },
  { id: "health", method: "GET", path: "/healthz", summary: "The process is alive", scope: null, params: s.NoParams, responses: { 200: s.HealthSchema } },
  { id: "ready", method: "GET", path: "/readyz", summary: "Store reachable, migrations applied, not draining", scope: null, params: s.NoParams, responses: { 200: s.ReadySchema, 503: s.ReadySchema } },
  { id: "metrics", method: "GET", path: "/metrics", summary: "Prometheus metrics", scope: null, params: s.NoParams, responses: { 200: TEXT } },
  { id: "openapi", method: "GET", path: "/openapi.json", summary: "This API's OpenAPI 3.1 document", scope: null, params: s.NoParams, responses: { 200: JSON_DOC } },
  { id: "docs", method: "GET", path: "/docs", summary: "The API reference page", scope: null, params: s.NoParams, responses: { 200: HTML } },
] as const satisfies readonly Operation[];

export type OperationId = (typeof OPERATIONS)[number]["id"];

/** Error statuses every authenticated operation may answer with (problem+json). */
export const COMMON_ERRORS = [400, 401, 403, 404, 413, 415, 429, 500, 503] as const;
