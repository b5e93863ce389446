import { z } from "zod";
import { DEFAULT_PRIORITY, MAX_TASK_LENGTH, PrioritySchema, RUN_STATUSES } from "../core/index.js";

// The zod schemas that validate requests and describe responses; /openapi.json is generated
// from these same objects. Request objects are strict: an unknown field is refused by name.

export const RunIdParams = z.strictObject({ id: z.string().describe("run id") });
export const ArtifactParams = z.strictObject({ id: z.string().describe("run id"), name: z.string().describe("artifact name") });
export const ApprovalParams = z.strictObject({ id: z.string().describe("approval id, from GET /v1/approvals") });
export const NoParams = z.strictObject({});

export const SubmitBody = z
  .strictObject({
    description: z.string().min(1).max(MAX_TASK_LENGTH).describe('the task in plain words, e.g. "生成季度财务报告"'),
    input: z.record(z.string(), z.unknown()).optional().describe("structured input for the planner and tools"),
    callbackUrl: z.string().max(2_048).optional().describe("https URL the run's outcome is POSTed to when it finishes, signed (see Webhooks in docs/run-control.md)"),
    priority: PrioritySchema.optional().describe(`0-9, 9 first: the order of this tenant's own queued runs (default ${DEFAULT_PRIORITY}); tenants take turns whatever their priorities`),
  })
  .describe("a task to run");

export const ListQuery = z.strictObject({
  status: z
    .string()
    .max(200)
    .regex(new RegExp(`^(${RUN_STATUSES.join("|")})(,(${RUN_STATUSES.join("|")}))*$`), `a comma-separated list of ${RUN_STATUSES.join(", ")}`)
    .optional()
    .describe("only runs in these statuses, comma-separated"),
  limit: z.coerce.number().int().min(1).max(500).optional().describe("page size, default 50"),
  cursor: z.string().max(64).optional().describe("nextCursor from the previous page"),
});

export const InputBody = z
  .strictObject({
    step: z.string().min(1).max(200).describe("the question's step key, from questions[].step of GET /v1/tasks/{id}"),
    answer: z.unknown().describe("the answer as JSON; checked against the question's schema"),
    runId: z.string().min(1).max(64).optional().describe("a question of a child run (questions[].runId): that run's id; the child resumes where it asked"),
  })
  .describe("answer one open question of a run");

export const ApprovalsQuery = z.strictObject({ state: z.enum(["pending"]).optional().describe("only pending decisions (the default and only state)") });

export const ApprovalBody = z
  .strictObject({
    decision: z.enum(["approve", "deny", "done"]).describe("approve (an ambiguous call: retry it), deny (fail), or done: an ambiguous call did happen, with `output`"),
    output: z.unknown().optional().describe("decision done only: the tool's output, as JSON"),
    argsHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "the argsHash the approval request shows (64 hex digits)")
      .describe("binds the decision to the exact arguments shown; a different hash is refused"),
    reason: z.string().max(1_000).optional().describe("why; recorded with the decision"),
  })
  .describe("approve or deny one pending step");

const AuditTime = z.iso.datetime({ offset: true, message: "an ISO 8601 time with a zone, e.g. 2026-01-31T09:00:00Z" });
export const AuditQuery = z
  .strictObject({
    after: z.coerce.number().int().min(0).optional().describe("entries after this sequence number"),
    limit: z.coerce.number().int().min(1).max(1_000).optional().describe("page size, default 100"),
    actor: z.string().min(1).max(200).optional().describe("only entries by this actor (exact)"),
    action: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, "an action name such as approval.approved").optional().describe("only entries of this action (exact), e.g. task.submitted"),
    target: z.string().min(1).max(200).optional().describe("only entries about this target (exact): a run id for run actions"),
    from: AuditTime.optional().describe("only entries at or after this time (ISO 8601 with a zone)"),
    to: AuditTime.optional().describe("only entries before this time (ISO 8601 with a zone)"),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), { message: "must be before to", path: ["from"] });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe("stable machine-readable error code"),
    detail: z.string(),
    instance: z.string().optional(),
  })
  .describe("RFC 9457 problem details");

const ErrorInfo = z.object({ code: z.string(), message: z.string() });
const Links = z.object({ self: z.string(), events: z.string(), cancel: z.string() });

export const RunSummarySchema = z.object({
  id: z.string(),
  status: z.enum(RUN_STATUSES),
  description: z.string(),
  priority: z.number().int().describe(`0-9, 9 first (${DEFAULT_PRIORITY} when the task named none)`),
  createdAt: z.string(),
  updatedAt: z.string(),
  links: Links,
});

export const SubtaskViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  agent: z.string(),
  dependsOn: z.array(z.string()),
  status: z.enum(["pending", "running", "succeeded", "failed", "cancelled"]),
  calls: z.number().int(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable().describe("time spent executing; after a resume the downtime is not counted"),
  wallMs: z.number().nullable().describe("from the subtask's first step to its end, downtime included"),
  error: ErrorInfo.nullable(),
  output: z.unknown().optional(),
});

export const ArtifactLinkSchema = z.object({ name: z.string(), mediaType: z.string(), bytes: z.number().int(), href: z.string() });

export const QuestionSchema = z.object({
  step: z.string().describe("the question's step key, to answer with"),
  question: z.string(),
  schema: z.record(z.string(), z.unknown()).describe("JSON Schema the answer must match"),
  expiresAt: z.string().optional().describe("when the default answer is taken if nobody answers (ISO 8601)"),
  runId: z.string().optional().describe("set when a child run (or its own child) asked: answer with this runId"),
});

export const ChildViewSchema = z.object({
  id: z.string(),
  status: z.enum(RUN_STATUSES),
  subtask: z.string().describe("the parent's subtask this run carries out"),
});

export const InputResultSchema = z.object({ runId: z.string(), step: z.string(), runStatus: z.enum(RUN_STATUSES) });

export const RunDetailSchema = RunSummarySchema.extend({
  input: z.record(z.string(), z.unknown()).nullable(),
  plan: z.object({ source: z.string(), language: z.string(), subtasks: z.array(z.object({ id: z.string(), title: z.string(), agent: z.string(), dependsOn: z.array(z.string()) })) }).nullable(),
  subtasks: z.array(SubtaskViewSchema),
  pendingApprovals: z.array(z.string()).describe("ids of steps waiting for a person: POST /v1/approvals/{id}"),
  result: z.object({ output: z.unknown() }).nullable(),
  error: ErrorInfo.nullable(),
  artifacts: z.array(ArtifactLinkSchema),
  durationMs: z.number().nullable(),
  wakeAt: z.string().nullable().describe("when a sleeping run's timer is due (ISO 8601); null unless the run sleeps"),
  callback: z
    .object({
      url: z.string(),
      status: z.enum(["waiting", "pending", "delivered", "failed"]).describe("waiting: the run has not finished; pending: being delivered or retried"),
      attempts: z.number().int(),
      lastError: z.string().optional(),
    })
    .optional()
    .describe("the webhook of a task submitted with callbackUrl"),
  questions: z.array(QuestionSchema).describe("questions a tool asked (ctx.ask) still waiting for an answer, this run's and its unfinished child runs' (with runId): POST /v1/tasks/{id}/input"),
  parent: z.object({ id: z.string(), subtask: z.string() }).nullable().describe("set when this run is a child run: its parent and the parent's subtask it carries out"),
  children: z.array(ChildViewSchema).describe("child runs of this run's subtasks (agent \"run\"), oldest first"),
  forkedFrom: z
    .object({ runId: z.string(), step: z.string() })
    .nullable()
    .optional()
    .describe("the run and step this run was forked from (POST /v1/tasks/{id}/fork); null when it is no fork"),
  forks: z
    .array(z.object({ id: z.string(), status: z.enum(RUN_STATUSES), step: z.string(), createdAt: z.string() }))
    .optional()
    .describe("runs forked from this one, oldest first (at most 100)"),
});

export const ForkBody = z
  .strictObject({
    step: z.string().min(1).max(200).describe("the step key to fork from (GET /v1/tasks/{id}/steps), e.g. subtask/fetch/call/0, subtask/fetch/done or plan"),
    output: z
      .unknown()
      .optional()
      .describe("the step's result in the fork, as JSON: a tool call's output, a subtask's output, a replacement plan, or a question's answer; left out, the step is executed again"),
    input: z.record(z.string(), z.unknown()).optional().describe("the fork's task input, replacing the parent's"),
    idempotencyKey: z.string().min(1).max(200).optional().describe("as the Idempotency-Key header: the same key gives the same fork"),
  })
  .describe("fork a run from one of its steps");

export const RunListSchema = z.object({ items: z.array(RunSummarySchema), nextCursor: z.string().nullable() });

export const ApprovalSchema = z.object({
  id: z.string(),
  runId: z.string(),
  stepKey: z.string(),
  kind: z.enum(["sensitive_tool", "ambiguous_call"]),
  tool: z.string(),
  input: z.unknown(),
  argsHash: z.string(),
  requestedAt: z.string(),
  expiresAt: z.string(),
});
export const ApprovalListSchema = z.object({ items: z.array(ApprovalSchema) });
export const ApprovalResultSchema = z.object({ id: z.string(), runId: z.string(), stepKey: z.string(), decision: z.enum(["approve", "deny", "done"]), runStatus: z.enum(RUN_STATUSES) });

export const ToolListSchema = z.object({
  items: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      idempotent: z.boolean(),
      sensitive: z.boolean(),
      cached: z.boolean().describe("results are kept in the tool cache"),
      batched: z.boolean().describe("calls are coalesced into batches"),
      timeoutMs: z.number(),
      input: z.record(z.string(), z.unknown()).describe("JSON Schema of the input"),
      output: z.record(z.string(), z.unknown()).describe("JSON Schema of the output"),
    }),
  ),
});
export const AgentListSchema = z.object({ items: z.array(z.object({ name: z.string(), role: z.string(), instructions: z.string(), tools: z.array(z.string()) })) });

export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  action: z.string(),
  actor: z.string(),
  tenant: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export const AuditListSchema = z.object({ items: z.array(AuditEntrySchema), nextAfter: z.number().int().nullable() });

export const HealthSchema = z.object({ status: z.literal("ok") });
export const ReadySchema = z.object({ status: z.enum(["ready", "not_ready"]), checks: z.record(z.string(), z.string()) });

const TokenUsageSchema = z.object({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number() });

export const StepViewSchema = z.object({
  key: z.string().describe("the stable step key, e.g. subtask/fetch/call/0"),
  kind: z.enum(["plan", "tool_call", "model_call", "approval", "subtask", "sleep", "input", "child"]),
  status: z.enum(["started", "succeeded", "failed", "ambiguous"]),
  subtaskId: z.string().nullable(),
  tool: z.string().nullable(),
  model: z.string().nullable(),
  input: z.unknown().describe("what the step was given: the tool call, the model turn"),
  output: z.unknown().describe("what it returned: the tool's output, the model's decision (files as names only)"),
  error: ErrorInfo.nullable(),
  attempts: z.number().int().nullable().describe("tool calls: attempts made, retries included"),
  cached: z.boolean().describe("a tool call answered by the tool cache, without calling the tool"),
  usage: TokenUsageSchema.nullable().describe("tokens a model decision or an LLM plan used"),
  cost: z.number().nullable().describe("what usage cost at the configured prices; null when unpriced"),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  approvalId: z.string().nullable().describe("for an ambiguous step: POST /v1/approvals/{approvalId} decides it"),
});

export const RunUsageSchema = z.object({
  tokens: TokenUsageSchema,
  toolCalls: z.number().int(),
  cost: z.number(),
  elapsedMs: z.number(),
});

export const RunBudgetSchema = z
  .object({ maxTokens: z.number(), maxToolCalls: z.number(), maxMs: z.number(), maxCost: z.number() })
  .describe("the run budgets this server enforces; 0: no limit");

export const StepListSchema = z.object({ items: z.array(StepViewSchema), usage: RunUsageSchema, budget: RunBudgetSchema });

export const AuditVerificationSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int().describe("entries verified from the first, in order"),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  checkpoints: z.number().int().describe("signed checkpoints that matched"),
  lastCheckpoint: z.object({ seq: z.number().int(), at: z.string() }).nullable(),
  brokenAt: z.number().int().nullable().describe("the first entry that does not verify"),
  reason: z.string().nullable(),
  checkedAt: z.string(),
});

export const McpServerListSchema = z.object({
  items: z.array(z.object({ name: z.string(), status: z.enum(["connecting", "ready", "down", "closed", "skipped"]), tools: z.array(z.string()), error: z.string().nullable() })),
});

// Schedules: tasks submitted on a cron (with a time zone) or an interval.
export const ScheduleIdParams = z.strictObject({ id: z.string().describe("schedule id") });

export const ScheduleBody = z
  .strictObject({
    name: z.string().min(1).max(200).optional().describe("a name to know it by"),
    task: SubmitBody.describe("the task each tick submits, as POST /v1/tasks takes it"),
    cron: z.string().min(1).max(200).optional().describe('5 fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5"; or everyMs'),
    timeZone: z.string().min(1).max(100).optional().describe('IANA zone the cron is read in, e.g. "Asia/Shanghai"; default UTC'),
    everyMs: z.number().int().min(1_000).max(366 * 86_400_000).optional().describe("an interval in milliseconds (≥ 1000); or cron"),
    missed: z.enum(["skip", "run_once"]).optional().describe("ticks missed while no replica ran: skip them (default) or run once for all of them"),
    paused: z.boolean().optional().describe("create it paused"),
  })
  .describe("a task to submit on a cron or an interval; exactly one of cron and everyMs");

export const ScheduleSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  task: z.object({ description: z.string(), input: z.record(z.string(), z.unknown()).optional() }),
  cron: z.string().nullable(),
  timeZone: z.string().nullable(),
  everyMs: z.number().nullable(),
  missed: z.enum(["skip", "run_once"]),
  paused: z.boolean(),
  nextRunAt: z.string().describe("the next tick (ISO 8601)"),
  lastRunAt: z.string().nullable().describe("the last tick that submitted a run"),
  lastTick: z
    .object({
      outcome: z.enum(["submitted", "duplicate", "missed", "refused"]),
      tick: z.string(),
      runId: z.string().nullable(),
      reason: z.string().nullable().describe("refused: why (TOO_MANY_ACTIVE_RUNS, RATE_LIMITED)"),
      skippedTicks: z.number().int().nullable(),
    })
    .nullable()
    .describe("what the last due tick did; runs it made carry input.scheduleId"),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const ScheduleListSchema = z.object({ items: z.array(ScheduleSchema) });
