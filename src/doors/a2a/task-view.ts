import { Role, TaskState } from "@a2a-js/sdk";
import type { Artifact, Message, Part, Task, TaskStatus } from "@a2a-js/sdk";
import type { z } from "zod";
import type { schemas } from "../../api/index.js";

export type RunDetail = z.infer<typeof schemas.RunDetailSchema>;
export type RunSummary = z.infer<typeof schemas.RunSummarySchema>;
export type RunStatus = RunSummary["status"];

/** A run's status as an A2A task state: a run waiting for a person's decision or answer needs input. */
export function stateOf(status: RunStatus): TaskState {
  switch (status) {
    case "queued":
    case "planning":
      return TaskState.TASK_STATE_SUBMITTED;
    case "running":
    case "sleeping":
    case "waiting_children":
      return TaskState.TASK_STATE_WORKING;
    case "waiting_approval":
    case "waiting_input":
      return TaskState.TASK_STATE_INPUT_REQUIRED;
    case "succeeded":
      return TaskState.TASK_STATE_COMPLETED;
    case "failed":
      return TaskState.TASK_STATE_FAILED;
    case "cancelled":
      return TaskState.TASK_STATE_CANCELED;
  }
}

/** States after which a stream closes: the run ended, or it waits for a person. */
export function isFinalOrInterrupted(state: TaskState): boolean {
  return state === TaskState.TASK_STATE_COMPLETED || state === TaskState.TASK_STATE_FAILED || state === TaskState.TASK_STATE_CANCELED || state === TaskState.TASK_STATE_INPUT_REQUIRED;
}

export function textPart(text: string, mediaType = ""): Part {
  return { content: { $case: "text", value: text }, metadata: undefined, filename: "", mediaType };
}

export function agentMessage(taskId: string, contextId: string, messageId: string, parts: Part[]): Message {
  return { messageId, contextId, taskId, role: Role.ROLE_AGENT, parts, metadata: undefined, extensions: [], referenceTaskIds: [] };
}

/** What the status says in words: the error of a failed run, the decisions a waiting run needs. */
export function statusText(run: Pick<RunDetail, "status" | "error" | "pendingApprovals" | "questions">): string | undefined {
  if (run.status === "failed" && run.error) return `${run.error.code}: ${run.error.message}`;
  if (run.status === "waiting_input" && run.questions.length > 0) {
    return `waiting for an answer: ${run.questions.map((q) => `${q.question} (step ${q.step})`).join("; ")}. Reply on this task with a data part {"answer": …, "step"?: "…"}`;
  }
  if (run.status === "waiting_approval" || (run.pendingApprovals.length > 0 && run.status === "running")) {
    return `waiting for a decision on ${run.pendingApprovals.join(", ")}: POST /v1/approvals/{id} (scope approvals:write)`;
  }
  return undefined;
}

export function statusOf(run: RunDetail | RunSummary, contextId: string, messageId: string): TaskStatus {
  const text = "subtasks" in run ? statusText(run) : undefined;
  return {
    state: stateOf(run.status),
    message: text === undefined ? undefined : agentMessage(run.id, contextId, messageId, [textPart(text)]),
    timestamp: run.updatedAt,
  };
}

/** The A2A task of a run; artifacts are given by the caller (they need the service to fetch). */
export function taskOf(run: RunDetail | RunSummary, contextId: string, artifacts: Artifact[] = []): Task {
  return {
    id: run.id,
    contextId,
    status: statusOf(run, contextId, `${run.id}/status`),
    artifacts,
    history: [],
    metadata: { description: run.description, createdAt: run.createdAt, priority: run.priority, links: run.links, ...("callback" in run && run.callback ? { callback: run.callback } : {}), ...("pendingApprovals" in run && run.pendingApprovals.length > 0 ? { pendingApprovals: run.pendingApprovals } : {}), ...("questions" in run && run.questions.length > 0 ? { questions: run.questions } : {}) },
  };
}

/** Text artifacts travel inline; anything else (HTML, workbooks, images) as a link to the REST artifact route. */
export function isInline(mediaType: string): boolean {
  return mediaType === "text/markdown" || mediaType === "text/plain" || mediaType.startsWith("text/markdown;") || mediaType.startsWith("text/plain;");
}

export function artifactOf(link: RunDetail["artifacts"][number], content: { readonly text: string } | { readonly url: string }): Artifact {
  const part: Part =
    "text" in content
      ? { content: { $case: "text", value: content.text }, metadata: undefined, filename: link.name, mediaType: link.mediaType }
      : { content: { $case: "url", value: content.url }, metadata: undefined, filename: link.name, mediaType: link.mediaType };
  return { artifactId: link.name, name: link.name, description: `${link.mediaType}, ${link.bytes} bytes`, parts: [part], metadata: { bytes: link.bytes, href: link.href }, extensions: [] };
}
