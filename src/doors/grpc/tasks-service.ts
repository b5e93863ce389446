import { Metadata, status as GrpcStatus } from "@grpc/grpc-js";
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import { callerOf } from "./caller.js";
import { agentsMessage, approvalMessage, approvalResultMessage, inputResultMessage, runStatusValue, taskMessage, taskSummaryMessage, toolsMessage } from "./messages.js";
import { ApiError } from "./service-port.js";
import type { Caller, DoorService, GrpcOperationId, OperationInput, ServiceAnswer } from "./service-port.js";
import { doorError, toServiceError } from "./status-codes.js";
import type { schemas } from "../../api/index.js";
import type { z } from "zod";

// Requests as the proto loader decodes them (keepCase, defaults on, enums as names).
interface SubmitTaskRequest { description: string; input_json: string; idempotency_key: string; priority?: number | undefined; callback_url: string }
interface IdRequest { id: string }
interface ListTasksRequest { status: string[]; limit: number; cursor: string }
interface WatchRunRequest { run_id: string; after_id: number }
interface AnswerInputRequest { run_id: string; step: string; answer_json: string }
interface DecideApprovalRequest { id: string; decision: string; args_hash: string; reason: string; output_json: string }

/** What the door tracks of open WatchRun streams, to end them on drain. */
export interface StreamRegistry {
  readonly streams: Set<AbortController>;
  readonly draining: () => boolean;
}

function parseJsonField(text: string, field: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError("INVALID_INPUT", `${field}: not valid JSON`);
  }
}

/** Leaves out fields the client left at their proto default, so the service's own defaults apply. */
function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== "" && v !== 0)) as Partial<T>;
}

/** The handlers of cs_agents.v1.Tasks: each RPC is one `Service` operation. */
export function tasksImplementation(service: DoorService, registry: StreamRegistry): UntypedServiceImplementation {
  function unary<Req>(operation: GrpcOperationId, toInput: (request: Req) => OperationInput, toMessage: (body: unknown) => Record<string, unknown>) {
    return (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>): void => {
      void (async () => {
        // The deadline may have passed while the call waited for this handler; grpc-js has
        // answered DEADLINE_EXCEEDED then, and nothing should run.
        if (call.cancelled) return;
        let answer: ServiceAnswer;
        try {
          answer = await service.call(operation, callerOf(call.metadata, call.getPeer()), toInput(call.request));
        } catch (error) {
          callback(toServiceError(error));
          return;
        }
        if (answer.headers?.["Idempotent-Replayed"] !== undefined) {
          const metadata = new Metadata();
          metadata.set("idempotent-replayed", answer.headers["Idempotent-Replayed"]);
          call.sendMetadata(metadata);
        }
        callback(null, toMessage(answer.body));
      })();
    };
  }

  return {
    SubmitTask: unary<SubmitTaskRequest>(
      "submitTask",
      (r) => ({
        // priority is a proto3 optional: 0 is a priority, unset is none (the service's default).
        body: { ...defined({ description: r.description, input: parseJsonField(r.input_json, "input_json"), callbackUrl: r.callback_url }), ...(r.priority === undefined || r.priority === null ? {} : { priority: r.priority }) },
        ...(r.idempotency_key ? { idempotencyKey: r.idempotency_key } : {}),
      }),
      (body) => taskMessage(body as z.output<typeof schemas.RunDetailSchema>),
    ),
    GetTask: unary<IdRequest>("getTask", (r) => ({ params: { id: r.id } }), (body) => taskMessage(body as z.output<typeof schemas.RunDetailSchema>)),
    CancelTask: unary<IdRequest>("cancelTask", (r) => ({ params: { id: r.id } }), (body) => taskMessage(body as z.output<typeof schemas.RunDetailSchema>)),
    ListTasks: unary<ListTasksRequest>(
      "listTasks",
      (r) => {
        const statuses = r.status.map((name) => {
          const value = runStatusValue(name);
          if (!value) throw new ApiError("INVALID_INPUT", `status: ${name} is not a run status to filter by`);
          return value;
        });
        return { query: defined({ status: statuses.join(","), limit: r.limit, cursor: r.cursor }) };
      },
      (body) => {
        const list = body as z.output<typeof schemas.RunListSchema>;
        return { items: list.items.map(taskSummaryMessage), next_cursor: list.nextCursor ?? "" };
      },
    ),
    ListApprovals: unary<Record<string, never>>("listApprovals", () => ({}), (body) => ({ items: (body as z.output<typeof schemas.ApprovalListSchema>).items.map(approvalMessage) })),
    DecideApproval: unary<DecideApprovalRequest>(
      "decideApproval",
      (r) => ({ params: { id: r.id }, body: defined({ decision: r.decision, argsHash: r.args_hash, reason: r.reason, output: parseJsonField(r.output_json, "output_json") }) }),
      (body) => approvalResultMessage(body as z.output<typeof schemas.ApprovalResultSchema>),
    ),
    AnswerInput: unary<AnswerInputRequest>(
      "answerTask",
      (r) => {
        // Not through `defined`: 0, false and "" are answers.
        const answer = parseJsonField(r.answer_json, "answer_json");
        if (answer === undefined) throw new ApiError("INVALID_INPUT", "answer_json is required: the answer as JSON text, matching the question's schema_json (Task.questions)");
        return { params: { id: r.run_id }, body: { ...defined({ step: r.step }), answer } };
      },
      (body) => inputResultMessage(body as z.output<typeof schemas.InputResultSchema>),
    ),
    ListTools: unary<Record<string, never>>("listTools", () => ({}), (body) => toolsMessage(body as z.output<typeof schemas.ToolListSchema>)),
    ListAgents: unary<Record<string, never>>("listAgents", () => ({}), (body) => agentsMessage(body as z.output<typeof schemas.AgentListSchema>)),
    WatchRun: (call: ServerWritableStream<WatchRunRequest, unknown>) => {
      void watchRun(service, registry, call);
    },
  };
}

/**
 * Streams the run's events until its final `run.*` event (then OK). Ends with UNAVAILABLE when
 * the server drains first (resume elsewhere with after_id), DEADLINE_EXCEEDED past the deadline
 * (grpc-js answers that itself and cancels the call, which stops the loop here).
 */
async function watchRun(service: DoorService, registry: StreamRegistry, call: ServerWritableStream<WatchRunRequest, unknown>): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  call.on("cancelled", stop);
  registry.streams.add(controller);
  const caller: Caller = callerOf(call.metadata, call.getPeer());
  let lastId = call.request.after_id;
  let ended = false;
  try {
    if (registry.draining()) throw doorError(GrpcStatus.UNAVAILABLE, "NOT_READY", "the server is draining; call again (another replica answers)");
    const events = await service.events(caller, call.request.run_id, { ...(lastId > 0 ? { afterId: lastId } : {}), signal: controller.signal });
    for await (const event of events) {
      if (call.cancelled) break;
      const written = call.write({ id: event.id, type: event.type, data_json: JSON.stringify(event.data ?? null) });
      lastId = event.id;
      if (event.type.startsWith("run.") && isFinal(event.data)) ended = true;
      // Back-pressure: a slow client holds the loop rather than the server's memory.
      if (!written) await new Promise<void>((resolve) => call.once("drain", resolve).once("cancelled", resolve));
    }
    if (call.cancelled) return;
    if (ended) call.end();
    else call.emit("error", doorError(GrpcStatus.UNAVAILABLE, "NOT_READY", `the stream ended before the run did (the server is draining); resume with after_id=${lastId}`));
  } catch (error) {
    if (!call.cancelled) call.emit("error", isGrpcError(error) ? error : toServiceError(error));
  } finally {
    registry.streams.delete(controller);
    call.off("cancelled", stop);
  }
}

/** An error this door already made for gRPC (a numeric status code), not one from the service. */
function isGrpcError(error: unknown): boolean {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "number";
}

const FINAL = new Set(["succeeded", "failed", "cancelled"]);
function isFinal(data: unknown): boolean {
  const status = (data as { status?: unknown } | null)?.status;
  return typeof status === "string" && FINAL.has(status);
}
