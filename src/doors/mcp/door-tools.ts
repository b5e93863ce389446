import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Caller, Service } from "../../api/index.js";
import { DEFAULT_PRIORITY, MAX_TASK_LENGTH, PrioritySchema } from "../../core/index.js";
import { followRun } from "./follow-run.js";
import { toolError, toolResult } from "./tool-results.js";

const RunId = z.string().min(1).max(200).describe("the run id submit_task or list_runs gave");
const ApprovalId = z.string().min(1).max(400).describe("the approval id, from get_task's pendingApprovals or list_approvals");
const ArgsHash = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "64 hex digits, as list_approvals shows it")
  .optional()
  .describe("the argsHash list_approvals showed: binds the decision to the arguments the person saw; without it, to the arguments pending now");
const Reason = z.string().max(1_000).optional().describe("why; recorded with the decision in the audit log");

/**
 * The tools: each one is one service operation (two for a decision without argsHash), so auth,
 * tenant, scopes, rate limit and audit are the service's, exactly as over REST.
 */
export function registerTools(server: McpServer, service: Service, caller: Caller): void {
  const guarded = async (work: () => Promise<CallToolResult>): Promise<CallToolResult> => {
    try {
      return await work();
    } catch (error) {
      return toolError(error);
    }
  };

  server.registerTool(
    "submit_task",
    {
      title: "Submit a task",
      description:
        'Submit a task in plain words (e.g. "生成季度财务报告", "quarterly financial report"); a planner splits it into subtasks and agents carry them out. Returns the run at once, or with wait: true follows it (progress per finished subtask) and returns it when it has ended or waits for an approval.',
      inputSchema: z.strictObject({
        description: z.string().min(1).max(MAX_TASK_LENGTH).describe("the task in plain words"),
        input: z.record(z.string(), z.unknown()).optional().describe("structured input for the planner and tools"),
        idempotency_key: z.string().regex(/^[\x21-\x7e]{1,200}$/, "1-200 visible ASCII characters").optional().describe("the same key with the same task returns the same run instead of a new one"),
        wait: z.boolean().optional().describe("follow the run until it ends (or waits for an approval) and return it then; default false"),
        priority: PrioritySchema.optional().describe(`0-9, 9 first: the order of your own queued runs (default ${DEFAULT_PRIORITY})`),
        callback_url: z.string().min(1).max(2_048).optional().describe("https URL the run's outcome is POSTed to when it finishes, signed; private, loopback and link-local addresses are refused"),
      }),
      annotations: { destructiveHint: false, openWorldHint: false },
    },
    async (args, extra) =>
      guarded(async () => {
        const submitted = await service.call("submitTask", caller, {
          body: { description: args.description, ...(args.input ? { input: args.input } : {}), ...(args.priority === undefined ? {} : { priority: args.priority }), ...(args.callback_url === undefined ? {} : { callbackUrl: args.callback_url }) },
          ...(args.idempotency_key ? { idempotencyKey: args.idempotency_key } : {}),
        });
        if (args.wait !== true) return toolResult(submitted.body);
        const runId = (submitted.body as { id: string }).id;
        const progressToken = extra._meta?.progressToken;
        await followRun(service, caller, runId, {
          signal: extra.signal,
          onProgress: async (progress) => {
            if (progressToken === undefined) return;
            await extra.sendNotification({ method: "notifications/progress", params: { progressToken, ...progress } });
          },
        });
        return toolResult((await service.call("getTask", caller, { params: { id: runId } })).body);
      }),
  );

  server.registerTool(
    "get_task",
    {
      title: "Get a run",
      description: "A run: status, plan, subtasks with timings, result, pending approvals, and its report files (readable as resources cs-agents://runs/{id}/artifacts/{name}).",
      inputSchema: z.strictObject({ id: RunId }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => guarded(async () => toolResult((await service.call("getTask", caller, { params: { id: args.id } })).body)),
  );

  server.registerTool(
    "list_runs",
    {
      title: "List runs",
      description: "Your runs, newest first; page with cursor = nextCursor.",
      inputSchema: z.strictObject({
        status: z.string().max(200).optional().describe("only these statuses, comma-separated: queued, running, waiting_approval, sleeping, waiting_input, waiting_children, succeeded, failed, cancelled"),
        limit: z.number().int().min(1).max(500).optional().describe("page size, default 50"),
        cursor: z.string().max(64).optional().describe("nextCursor from the previous page"),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => guarded(async () => toolResult((await service.call("listTasks", caller, { query: definedOnly(args) })).body)),
  );

  server.registerTool(
    "cancel_task",
    {
      title: "Cancel a run",
      description: "Cancel an unfinished run; its running tool calls are stopped.",
      inputSchema: z.strictObject({ id: RunId }),
      annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args) => guarded(async () => toolResult((await service.call("cancelTask", caller, { params: { id: args.id } })).body)),
  );

  server.registerTool(
    "list_approvals",
    {
      title: "List pending approvals",
      description: "Steps of your runs waiting for a person: the tool, its input and the argsHash that approve_step / deny_step bind to. Needs the approvals:write scope.",
      inputSchema: z.strictObject({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => guarded(async () => toolResult((await service.call("listApprovals", caller, { query: {} })).body)),
  );

  server.registerTool(
    "answer_question",
    {
      title: "Answer a question",
      description: "Answer a question a tool asked a person (a run waiting_input): get_task lists them as questions, each with its step and the JSON Schema the answer must match. Show the person the question first. Needs the approvals:write scope.",
      inputSchema: z.strictObject({ run_id: RunId, step: z.string().min(1).max(200).describe("the question's step, from questions[].step of get_task"), answer: z.unknown().describe("the answer as JSON, matching the question's schema") }),
      annotations: { idempotentHint: false, openWorldHint: false },
    },
    async (args) => guarded(async () => toolResult((await service.call("answerTask", caller, { params: { id: args.run_id }, body: { step: args.step, answer: args.answer } })).body)),
  );

  for (const decision of ["approve", "deny"] as const) {
    server.registerTool(
      `${decision}_step`,
      {
        title: decision === "approve" ? "Approve a step" : "Deny a step",
        description:
          decision === "approve"
            ? "Approve a step waiting for a person (a sensitive tool call); the run goes on. Show the person the tool and input from list_approvals first. Needs the approvals:write scope; the submitter of a run may not approve its own sensitive step."
            : "Deny a step waiting for a person; the call fails and so does its run. Needs the approvals:write scope.",
        inputSchema: z.strictObject({ approval_id: ApprovalId, args_hash: ArgsHash, reason: Reason }),
        annotations: { destructiveHint: decision === "deny", idempotentHint: false, openWorldHint: false },
      },
      async (args) =>
        guarded(async () => {
          const argsHash = args.args_hash ?? (await pendingArgsHash(service, caller, args.approval_id));
          const body = { decision, argsHash, ...(args.reason ? { reason: args.reason } : {}) };
          return toolResult((await service.call("decideApproval", caller, { params: { id: args.approval_id }, body })).body);
        }),
    );
  }
}

/** Any hash the service will refuse: used when the approval is not pending, so the service names why (not found, decided). */
const NO_HASH = "0".repeat(64);

/** The argsHash of the pending approval with this id, read through the service (scope approvals:write). */
async function pendingArgsHash(service: Service, caller: Caller, approvalId: string): Promise<string> {
  const { body } = await service.call("listApprovals", caller, { query: {} });
  const items = (body as { items?: readonly { id: string; argsHash: string }[] }).items ?? [];
  return items.find((item) => item.id === approvalId)?.argsHash ?? NO_HASH;
}

function definedOnly(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
