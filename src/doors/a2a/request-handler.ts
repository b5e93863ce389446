import { TaskState } from "@a2a-js/sdk";
import type { AgentCard, Artifact, CancelTaskRequest, GetTaskRequest, ListTasksRequest, ListTasksResponse, Message, Part, SendMessageRequest, StreamResponse, SubscribeToTaskRequest, Task, TaskPushNotificationConfig } from "@a2a-js/sdk";
import { ExtendedAgentCardNotConfiguredError, PushNotificationNotSupportedError } from "@a2a-js/sdk/errors";
import type { A2ARequestHandler, ServerCallContext } from "@a2a-js/sdk/server";
import { LRUCache } from "lru-cache";
import { A2aDoorError, problemFrom, sdkErrorOf } from "./errors.js";
import type { DoorProblem } from "./errors.js";
import type { Caller, DoorService } from "./service-port.js";
import { liveModelText } from "./live-model-text.js";
import { agentMessage, artifactOf, isFinalOrInterrupted, isInline, stateOf, statusOf, taskOf, textPart } from "./task-view.js";
import type { RunDetail, RunStatus, RunSummary } from "./task-view.js";

/** What the HTTP route puts in each call's context for the handler. */
export interface CallState {
  readonly caller: Caller;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  /** The server's own origin, for links to the REST artifact route. */
  readonly origin: string;
  /** The problem the service refused with, for the route to answer with its status and code. */
  problem?: DoorProblem;
}

export const CALL_STATE = "cs-agents.a2a";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function stateOfCall(context: ServerCallContext): CallState {
  const state = context.state.get(CALL_STATE) as CallState | undefined;
  if (!state) throw new A2aDoorError("INVALID_INPUT", "no call state: the A2A handler runs behind its HTTP route only");
  return state;
}

/**
 * The A2A operations as cs-agents service calls: a task is a run (task id = run id), a message's
 * text parts are the task's description, its data parts the task's structured input, its
 * messageId the submission's idempotency key. Auth, tenants, scopes, rate limits and audit are
 * the service's; this class only translates.
 */
export class A2aRequestHandler implements A2ARequestHandler {
  readonly #service: DoorService;
  readonly #card: () => Promise<AgentCard>;
  /** The client's contextId of runs submitted here (the store has no place for it); else the run id. */
  readonly #contexts = new LRUCache<string, string>({ max: 10_000 });

  constructor(service: DoorService, card: () => Promise<AgentCard>) {
    this.#service = service;
    this.#card = card;
  }

  getAgentCard(): Promise<AgentCard> {
    return this.#card();
  }

  getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    return Promise.reject(new ExtendedAgentCardNotConfiguredError());
  }

  async sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    return this.#guard(context, async (call) => {
      const { run, contextId } = await this.#submit(params, call);
      if (params.configuration?.returnImmediately) return taskOf(run, contextId);
      // Blocking: the answer is the task once it ended or waits for a person.
      for await (const event of this.#follow(run.id, contextId, call)) void event;
      return this.#task(run.id, call);
    });
  }

  async *sendMessageStream(params: SendMessageRequest, context: ServerCallContext): AsyncGenerator<StreamResponse, void, undefined> {
    const call = stateOfCall(context);
    const { run, contextId } = await this.#guard(context, () => this.#submit(params, call));
    yield { payload: { $case: "task", value: taskOf(run, contextId) } };
    yield* this.#guardStream(context, this.#follow(run.id, contextId, call, true));
  }

  async getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.#guard(context, (call) => this.#task(params.id, call));
  }

  async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    return this.#guard(context, async (call) => {
      const answer = await this.#service.call("cancelTask", call.caller, { params: { id: params.id } });
      const run = answer.body as RunDetail;
      return taskOf(run, this.#contextOf(run.id));
    });
  }

  async listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    return this.#guard(context, async (call) => {
      const query = { ...(params.pageSize ? { limit: params.pageSize } : {}), ...(params.pageToken ? { cursor: params.pageToken } : {}), ...(params.status ? { status: runStatusesOf(params.status) } : {}) };
      const answer = await this.#service.call("listTasks", call.caller, { query });
      const page = answer.body as { items: RunSummary[]; nextCursor: string | null };
      const tasks = page.items.map((run) => taskOf(run, this.#contextOf(run.id))).filter((task) => !params.contextId || task.contextId === params.contextId);
      return { tasks, nextPageToken: page.nextCursor ?? "", pageSize: params.pageSize ?? 50, totalSize: tasks.length };
    });
  }

  async *resubscribe(params: SubscribeToTaskRequest, context: ServerCallContext): AsyncGenerator<StreamResponse, void, undefined> {
    const call = stateOfCall(context);
    const task = await this.#guard(context, () => this.#task(params.id, call));
    if (task.status && isFinalOrInterrupted(task.status.state) && task.status.state !== TaskState.TASK_STATE_INPUT_REQUIRED) {
      throw this.#refuse(call, new A2aDoorError("UNSUPPORTED", `task ${params.id} has ended; GetTask shows its outcome`));
    }
    yield { payload: { $case: "task", value: task } };
    yield* this.#guardStream(context, this.#follow(params.id, task.contextId, call, true));
  }

  createTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  getTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  listTaskPushNotificationConfigs(): Promise<{ configs: TaskPushNotificationConfig[]; nextPageToken: string }> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  deleteTaskPushNotificationConfig(): Promise<void> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  /** Submits the message as a task; a message on an existing task is a decision on its pending approval. */
  async #submit(params: SendMessageRequest, call: CallState): Promise<{ run: RunDetail; contextId: string }> {
    const message = params.message;
    if (!message) throw new A2aDoorError("INVALID_INPUT", "message is required");
    if (message.taskId) return this.#decide(message, call);
    const description = textOf(message.parts);
    if (description === "") throw new A2aDoorError("INVALID_INPUT", "the message has no text: its text parts are the task, e.g. 生成季度财务报告");
    const input = inputOf(message.parts);
    const body = { description, ...(input ? { input } : {}), ...runOptionsOf(params.metadata) };
    const key = IDEMPOTENCY_KEY.test(message.messageId) ? message.messageId : undefined;
    const answer = await this.#service.call("submitTask", call.caller, { body, ...(key ? { idempotencyKey: key } : {}) });
    const run = answer.body as RunDetail;
    const contextId = message.contextId || (this.#contexts.get(run.id) ?? run.id);
    this.#contexts.set(run.id, contextId);
    return { run, contextId };
  }

  /**
   * A reply on a task waiting for a person: a data part `{ "decision": "approve" | "deny",
   * "approvalId"?, "reason"? }` decides its pending approval (the first one when no id is given),
   * bound to the arguments' hash the service shows; `{ "answer": …, "step"? }` answers its open
   * question (the first one when no step is given).
   */
  async #decide(message: Message, call: CallState): Promise<{ run: RunDetail; contextId: string }> {
    const runId = message.taskId;
    const data = inputOf(message.parts) ?? {};
    if ("answer" in data) return this.#answer(runId, data, message, call);
    const decision = data.decision;
    if (decision !== "approve" && decision !== "deny") {
      throw new A2aDoorError("INVALID_INPUT", `a message on task ${runId} decides its pending approval: send a data part {"decision": "approve" | "deny", "approvalId"?: "...", "reason"?: "..."}`);
    }
    const listed = await this.#service.call("listApprovals", call.caller, { query: {} });
    const pending = (listed.body as { items: { id: string; runId: string; argsHash: string }[] }).items.filter((a) => a.runId === runId && (typeof data.approvalId !== "string" || a.id === data.approvalId));
    const approval = pending[0];
    if (!approval) {
      // The run itself answers NOT_FOUND for another tenant's id; a run of the caller's with nothing pending is a bad request.
      await this.#service.call("getTask", call.caller, { params: { id: runId } });
      throw new A2aDoorError("INVALID_INPUT", `task ${runId} has no pending approval${typeof data.approvalId === "string" ? ` ${data.approvalId.slice(0, 200)}` : ""}`);
    }
    const reason = typeof data.reason === "string" ? data.reason : textOf(message.parts) || undefined;
    await this.#service.call("decideApproval", call.caller, { params: { id: approval.id }, body: { decision, argsHash: approval.argsHash, ...(reason ? { reason } : {}) } });
    const answer = await this.#service.call("getTask", call.caller, { params: { id: runId } });
    const run = answer.body as RunDetail;
    return { run, contextId: message.contextId || this.#contextOf(run.id) };
  }

  /** Answers the run's open question named by `data.step`, or its first, through the service (which checks the answer). */
  async #answer(runId: string, data: Record<string, unknown>, message: Message, call: CallState): Promise<{ run: RunDetail; contextId: string }> {
    const before = (await this.#service.call("getTask", call.caller, { params: { id: runId } })).body as RunDetail;
    const step = typeof data.step === "string" ? data.step : before.questions[0]?.step;
    if (step === undefined) throw new A2aDoorError("INVALID_INPUT", `task ${runId} has no open question to answer`);
    await this.#service.call("answerTask", call.caller, { params: { id: runId }, body: { step, answer: data.answer } });
    const run = (await this.#service.call("getTask", call.caller, { params: { id: runId } })).body as RunDetail;
    return { run, contextId: message.contextId || this.#contextOf(run.id) };
  }

  /** The task with its artifacts: text inline, other files as links to the REST artifact route. */
  async #task(id: string, call: CallState): Promise<Task> {
    const answer = await this.#service.call("getTask", call.caller, { params: { id } });
    const run = answer.body as RunDetail;
    return taskOf(run, this.#contextOf(run.id), await this.#artifacts(run, call));
  }

  async #artifacts(run: RunDetail, call: CallState): Promise<Artifact[]> {
    const artifacts: Artifact[] = [];
    for (const link of run.artifacts) {
      if (isInline(link.mediaType)) {
        const file = await this.#service.call("getArtifact", call.caller, { params: { id: run.id, name: link.name } });
        const bytes = file.body;
        artifacts.push(artifactOf(link, { text: Buffer.isBuffer(bytes) ? bytes.toString("utf8") : String(bytes) }));
      } else artifacts.push(artifactOf(link, { url: `${call.origin}${link.href}` }));
    }
    return artifacts;
  }

  /**
   * The run's events as A2A updates until it ends or waits for a person: each `run.*` event a
   * status update, the steps in between `working` updates that say what happened, and on success
   * the run's files as artifact updates before the final `completed`. With `live` (streams), the
   * text a model writes while it decides comes as it is written: see `liveModelText`.
   */
  async *#follow(runId: string, contextId: string, call: CallState, live = false): AsyncGenerator<StreamResponse, void, undefined> {
    const events = live ? await this.#service.events(call.caller, runId, { signal: call.signal, live: true }) : await this.#service.events(call.caller, runId, { signal: call.signal });
    const liveText = liveModelText(runId, contextId);
    for await (const event of events) {
      const data = (event.data ?? {}) as Record<string, unknown>;
      const piece = liveText(event.type, data);
      if (piece) yield piece;
      // A live piece has no id: it is not in the run's event log and says nothing more.
      if (event.id === undefined) continue;
      const metadata = { eventId: event.id, event: event.type };
      if (event.type.startsWith("run.")) {
        const status = String(data.status) as RunStatus;
        const state = stateOf(status);
        if (!isFinalOrInterrupted(state)) {
          yield { payload: { $case: "statusUpdate", value: { taskId: runId, contextId, status: { state, message: undefined, timestamp: stringOr(data.at) }, metadata } } };
          continue;
        }
        const answer = await this.#service.call("getTask", call.caller, { params: { id: runId } });
        const run = answer.body as RunDetail;
        if (state === TaskState.TASK_STATE_COMPLETED) {
          for (const artifact of await this.#artifacts(run, call)) {
            yield { payload: { $case: "artifactUpdate", value: { taskId: runId, contextId, artifact, append: false, lastChunk: true, metadata: undefined } } };
          }
        }
        const shown = { ...run, status };
        yield { payload: { $case: "statusUpdate", value: { taskId: runId, contextId, status: statusOf(shown, contextId, `${runId}/event/${event.id}`), metadata } } };
        return;
      }
      const text = progressText(event.type, data);
      if (text === undefined) continue;
      const message = agentMessage(runId, contextId, `${runId}/event/${event.id}`, [textPart(text)]);
      yield { payload: { $case: "statusUpdate", value: { taskId: runId, contextId, status: { state: TaskState.TASK_STATE_WORKING, message, timestamp: stringOr(data.finishedAt) ?? stringOr(data.startedAt) }, metadata } } };
    }
  }

  #contextOf(runId: string): string {
    return this.#contexts.get(runId) ?? runId;
  }

  async #guard<T>(context: ServerCallContext, work: (call: CallState) => Promise<T>): Promise<T> {
    const call = stateOfCall(context);
    try {
      return await work(call);
    } catch (error) {
      throw this.#refuse(call, error);
    }
  }

  async *#guardStream(context: ServerCallContext, stream: AsyncGenerator<StreamResponse, void, undefined>): AsyncGenerator<StreamResponse, void, undefined> {
    const call = stateOfCall(context);
    try {
      yield* stream;
    } catch (error) {
      throw this.#refuse(call, error);
    }
  }

  /** Records the problem for the route and gives the SDK an error of the matching A2A kind. */
  #refuse(call: CallState, error: unknown): Error {
    const problem = problemFrom(error);
    call.problem = problem;
    return sdkErrorOf(problem);
  }
}

function textOf(parts: readonly Part[]): string {
  return parts
    .map((part) => (part.content?.$case === "text" ? part.content.value : ""))
    .filter((text) => text.trim() !== "")
    .join("\n")
    .trim();
}

/** The message's data parts that are JSON objects, merged: the task's structured input. */
function inputOf(parts: readonly Part[]): Record<string, unknown> | undefined {
  let input: Record<string, unknown> | undefined;
  for (const part of parts) {
    const value: unknown = part.content?.$case === "data" ? part.content.value : undefined;
    if (value && typeof value === "object" && !Array.isArray(value)) input = { ...input, ...(value as Record<string, unknown>) };
  }
  return input;
}

/**
 * The run options a send request's metadata carries (`priority`, `callbackUrl`, as REST's body
 * names them), passed on as given: the service checks them as it checks REST's (0-9, the callback
 * URL policy), so a bad value is refused with the same message. Other metadata keys are the
 * client's own and are left alone.
 */
function runOptionsOf(metadata: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  if (!metadata) return {};
  return { ...("priority" in metadata ? { priority: metadata.priority } : {}), ...("callbackUrl" in metadata ? { callbackUrl: metadata.callbackUrl } : {}) };
}

function runStatusesOf(state: TaskState): string {
  switch (state) {
    case TaskState.TASK_STATE_SUBMITTED:
      return "queued,planning";
    case TaskState.TASK_STATE_WORKING:
      return "running";
    case TaskState.TASK_STATE_INPUT_REQUIRED:
      return "waiting_approval,waiting_input";
    case TaskState.TASK_STATE_COMPLETED:
      return "succeeded";
    case TaskState.TASK_STATE_FAILED:
      return "failed";
    case TaskState.TASK_STATE_CANCELED:
      return "cancelled";
    default:
      throw new A2aDoorError("INVALID_INPUT", "status: cs-agents tasks are submitted, working, input-required, completed, failed or canceled");
  }
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A line for a step event, or undefined for events a client need not see. */
function progressText(type: string, data: Record<string, unknown>): string | undefined {
  const subtask = typeof data.subtaskId === "string" ? data.subtaskId : undefined;
  const tool = typeof data.tool === "string" ? data.tool : undefined;
  switch (type) {
    case "plan.created":
      return "planned";
    case "subtask.started":
      return `subtask ${subtask ?? "?"} started (agent ${String(data.agent)})`;
    case "subtask.finished":
      return `subtask ${subtask ?? "?"} finished`;
    case "subtask.failed":
      return `subtask ${subtask ?? "?"} failed`;
    case "tool.started":
      return `${subtask ?? "?"}: calling ${tool ?? "a tool"}`;
    case "tool.finished":
      return `${subtask ?? "?"}: ${tool ?? "a tool"} answered`;
    case "tool.failed":
      return `${subtask ?? "?"}: ${tool ?? "a tool"} failed`;
    case "approval.requested":
      return `${subtask ?? "?"}: ${tool ?? "a call"} waits for a person's decision (${String(data.approvalId)})`;
    case "approval.approved":
      return `${subtask ?? "?"}: approved`;
    case "approval.denied":
      return `${subtask ?? "?"}: denied`;
    default:
      return undefined;
  }
}
