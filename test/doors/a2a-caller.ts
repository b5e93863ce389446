import { randomUUID } from "node:crypto";
import { Role } from "@a2a-js/sdk";
import type { Message, Part, SendMessageRequest, Task } from "@a2a-js/sdk";
import { ClientFactory } from "@a2a-js/sdk/client";
import type { Client } from "@a2a-js/sdk/client";

export interface DoorTarget {
  readonly baseUrl: string;
  readonly grpcAddress?: string;
}

export type DoorOperation = "submitTask" | "getTask" | "listTasks" | "cancelTask" | "decideApproval";
export type DoorResult = { ok: true; body: unknown } | { ok: false; code: string };

export function textPart(text: string): Part {
  return { content: { $case: "text", value: text }, metadata: undefined, filename: "", mediaType: "text/plain" };
}

export function dataPart(value: Record<string, unknown>): Part {
  return { content: { $case: "data", value }, metadata: undefined, filename: "", mediaType: "application/json" };
}

/** A user message, as the SDK's types want it whole. */
export function userMessage(parts: Part[], options: { taskId?: string; contextId?: string; messageId?: string } = {}): Message {
  return { messageId: options.messageId ?? randomUUID(), contextId: options.contextId ?? "", taskId: options.taskId ?? "", role: Role.ROLE_USER, parts, metadata: undefined, extensions: [], referenceTaskIds: [] };
}

export function sendRequest(message: Message, returnImmediately = false): SendMessageRequest {
  return { tenant: "", message, configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately }, metadata: undefined };
}

/** An A2A client from the server's agent card (the official SDK's factory). */
export function a2aClient(baseUrl: string): Promise<Client> {
  return new ClientFactory().createFromUrl(baseUrl);
}

export function authOf(token: string | undefined): { serviceParameters: Record<string, string> } {
  return { serviceParameters: token === undefined ? {} : { authorization: `Bearer ${token}` } };
}

/**
 * The service's problem code as the A2A door reports it: `error.data[0].metadata.code` of the
 * JSON-RPC error (google.rpc.ErrorInfo), which the SDK's client keeps on the error it throws.
 */
export function problemCodeOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current; depth++) {
    const data = (current as { data?: unknown }).data ?? (current as { errorResponse?: { error?: { data?: unknown } } }).errorResponse?.error?.data;
    const first: unknown = Array.isArray(data) ? data[0] : data;
    const code = (first as { metadata?: { code?: unknown } } | undefined)?.metadata?.code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  throw error;
}

/** One service operation through the A2A door with the SDK's client. */
export async function callViaA2a(target: DoorTarget, token: string | undefined, operation: DoorOperation, input: { id?: string; description?: string; approvalId?: string; decision?: "approve" | "deny" }): Promise<DoorResult> {
  const client = await a2aClient(target.baseUrl);
  const options = authOf(token);
  try {
    switch (operation) {
      case "submitTask":
        return { ok: true, body: await client.sendMessage(sendRequest(userMessage([textPart(input.description ?? "")]), true), options) };
      case "getTask":
        return { ok: true, body: await client.getTask({ tenant: "", id: input.id ?? "", historyLength: undefined }, options) };
      case "listTasks":
        return { ok: true, body: await client.listTasks({ tenant: "", contextId: "", status: 0, pageSize: undefined, pageToken: "", historyLength: undefined, statusTimestampAfter: undefined, includeArtifacts: undefined }, options) };
      case "cancelTask":
        return { ok: true, body: await client.cancelTask({ tenant: "", id: input.id ?? "", metadata: undefined }, options) };
      case "decideApproval": {
        // A reply on the waiting task decides its approval; the approval id names the run.
        const approvalId = input.approvalId ?? "";
        const taskId = approvalId.split(".")[0] ?? "";
        const message = userMessage([dataPart({ decision: input.decision ?? "approve", approvalId })], { taskId });
        return { ok: true, body: (await client.sendMessage(sendRequest(message, true), options)) as Task };
      }
    }
  } catch (error) {
    return { ok: false, code: problemCodeOf(error) };
  }
}
