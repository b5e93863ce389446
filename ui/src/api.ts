import type { z } from "zod";
import type * as schemas from "../../src/api/schemas.js";

// The page's types come from the schemas the API validates with and /openapi.json is made
// from: a changed API breaks this build, not the page.
export type RunSummary = z.infer<typeof schemas.RunSummarySchema>;
export type RunDetail = z.infer<typeof schemas.RunDetailSchema>;
export type RunList = z.infer<typeof schemas.RunListSchema>;
export type SubtaskView = z.infer<typeof schemas.SubtaskViewSchema>;
export type Approval = z.infer<typeof schemas.ApprovalSchema>;
export type ApprovalList = z.infer<typeof schemas.ApprovalListSchema>;
export type ApprovalBody = z.input<typeof schemas.ApprovalBody>;
export type SubmitBody = z.input<typeof schemas.SubmitBody>;
export type ToolList = z.infer<typeof schemas.ToolListSchema>;
export type AgentList = z.infer<typeof schemas.AgentListSchema>;
export type AuditList = z.infer<typeof schemas.AuditListSchema>;
export type Ready = z.infer<typeof schemas.ReadySchema>;
export type StepList = z.infer<typeof schemas.StepListSchema>;
export type StepView = z.infer<typeof schemas.StepViewSchema>;
export type AuditVerification = z.infer<typeof schemas.AuditVerificationSchema>;
export type McpServerList = z.infer<typeof schemas.McpServerListSchema>;
export type RunStatus = RunSummary["status"];
export type Question = RunDetail["questions"][number];

const TOKEN_KEY = "cs-agents.token";

/** The bearer token lives for the browser session only. */
export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A problem+json answer from the API. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type AuthListener = () => void;
const authListeners = new Set<AuthListener>();
// A 401 that came before anyone listened (the runs list is asked for before the page renders):
// told to the first listener.
let unheardAuthRequired = false;
/** Told when the API answers 401: the page then asks for a token. */
export function onAuthRequired(listener: AuthListener): () => void {
  authListeners.add(listener);
  if (unheardAuthRequired) {
    unheardAuthRequired = false;
    listener();
  }
  return () => authListeners.delete(listener);
}

export function authHeaders(): Record<string, string> {
  const value = token.get();
  return value ? { authorization: `Bearer ${value}` } : {};
}

export async function api<T>(path: string, init: { method?: "GET" | "POST"; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? "GET",
    headers: { ...authHeaders(), ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (res.ok) return (await res.json()) as T;
  throw await problemOf(res);
}

export async function problemOf(res: Response): Promise<ApiProblem> {
  let code = `HTTP_${res.status}`;
  let detail = res.statusText;
  try {
    const body = (await res.json()) as { code?: string; detail?: string; title?: string };
    code = body.code ?? code;
    detail = body.detail ?? body.title ?? detail;
  } catch {
    // Not problem+json: keep the status line.
  }
  if (res.status === 401) {
    unheardAuthRequired = authListeners.size === 0;
    for (const listener of authListeners) listener();
  }
  return new ApiProblem(res.status, code, detail);
}

export interface StreamEvent {
  readonly id: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** A piece of a model's answer while it is generated: not in the run's event log (no id, not kept). */
export interface ModelTextDelta {
  readonly subtaskId: string;
  readonly agent: string;
  readonly stepKey: string;
  readonly text: string;
}

/**
 * Follows a run's Server-Sent Events with the bearer token (EventSource cannot send one),
 * reconnecting with Last-Event-ID so nothing is lost or repeated; ends after the final event.
 * `onModelText` gets the model's text as it streams (frames without an id).
 */
export function followRun(runId: string, onEvent: (event: StreamEvent) => void, onEnd: () => void, onModelText?: (delta: ModelTextDelta) => void): () => void {
  const controller = new AbortController();
  let lastId = 0;
  const run = async () => {
    for (let attempt = 0; !controller.signal.aborted && attempt < 20; attempt++) {
      try {
        const res = await fetch(`/v1/tasks/${encodeURIComponent(runId)}/events`, {
          headers: { ...authHeaders(), ...(lastId > 0 ? { "last-event-id": String(lastId) } : {}) },
          signal: controller.signal,
        });
        if (!res.ok) throw await problemOf(res);
        const reader = res.body?.getReader();
        if (!reader) return;
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = new Map<string, string>();
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) continue;
              const colon = line.indexOf(":");
              fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
            }
            if (!fields.has("id") && fields.get("event") === "model.delta") {
              onModelText?.(JSON.parse(fields.get("data") ?? "{}") as ModelTextDelta);
              continue;
            }
            const id = Number(fields.get("id"));
            if (!Number.isInteger(id) || id <= lastId) continue;
            lastId = id;
            onEvent({ id, type: fields.get("event") ?? "message", data: JSON.parse(fields.get("data") ?? "{}") as Record<string, unknown> });
            if (/^run\.(succeeded|failed|cancelled)$/.test(fields.get("event") ?? "")) {
              onEnd();
              return;
            }
          }
        }
      } catch (error) {
        if (controller.signal.aborted || (error instanceof ApiProblem && error.status < 500)) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };
  void run();
  return () => controller.abort();
}
