import { z } from "zod";
import { subtaskDueAt } from "./plan.js";
import type { Plan } from "./plan.js";
import type { Task } from "./task.js";

export const RUN_STATUSES = ["queued", "planning", "running", "waiting_approval", "sleeping", "waiting_input", "waiting_children", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(["succeeded", "failed", "cancelled"]);

export type SubtaskStatus = "pending" | "running" | "succeeded" | "failed" | "cancelled";

export const ErrorInfoSchema = z.object({
  code: z.string(),
  message: z.string(),
  /** The message's key and values in the translated catalogues, kept so a run's error read back from the store can be shown in the user's language. */
  i18n: z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).optional(),
});
/** A failure as a value: what the journal records and users see. */
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/** A file a run produced, e.g. the report. */
export const ArtifactSchema = z.object({
  name: z
    .string()
    .regex(/^(?:[A-Za-z0-9_-]{1,64}\/)?[A-Za-z0-9._-]{1,128}$/, "artifact names are 1-128 letters, digits, '.', '_' or '-', optionally in one folder like charts/")
    .refine((name) => !/(?:^|\/)\.{1,2}$/.test(name), "artifact names cannot be '.' or '..'"),
  mediaType: z.string(),
  content: z.string(),
  /** How `content` holds the file: text as is (the default), or binary (a spreadsheet) as base64. */
  encoding: z.enum(["utf8", "base64"]).optional(),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

/** The bytes of the file an artifact holds. */
export function artifactBytes(artifact: Artifact): Buffer {
  return Buffer.from(artifact.content, artifact.encoding === "base64" ? "base64" : "utf8");
}

/** What a finished subtask hands to the subtasks that depend on it. */
export interface SubtaskResult {
  readonly subtaskId: string;
  readonly output: unknown;
  readonly artifacts: readonly Artifact[];
}

/** What a run produced when it succeeded. */
export interface RunResult {
  readonly subtasks: Readonly<Record<string, SubtaskResult>>;
  readonly artifacts: readonly Artifact[];
  /** The output of the plan's last subtask (the one nothing depends on), when there is one. */
  readonly output: unknown;
}

/** One execution of a task. */
export interface Run {
  readonly id: string;
  readonly task: Task;
  readonly status: RunStatus;
  readonly plan?: Plan;
  readonly result?: RunResult;
  readonly error?: ErrorInfo;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The run whose subtask this run is (a child run): its id and the subtask's id. */
  readonly parent?: RunParent;
}

/** Where a child run hangs in its parent: the parent run and the parent's subtask it carries out. */
export interface RunParent {
  readonly runId: string;
  readonly subtask: string;
}

export type StepKind = "plan" | "tool_call" | "model_call" | "approval" | "subtask" | "sleep" | "input" | "child";
export type StepStatus = "started" | "succeeded" | "failed" | "ambiguous";

/**
 * One journaled unit inside a run, keyed by a stable step key: `plan`,
 * `subtask/<id>/call/<n>`, `subtask/<id>/done`. Replay reads a succeeded or failed step back
 * instead of doing the work again.
 */
export interface Step {
  readonly runId: string;
  readonly key: string;
  readonly kind: StepKind;
  readonly status: StepStatus;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: ErrorInfo;
  readonly attempts?: number;
  readonly startedAt: Date;
  readonly finishedAt?: Date;
}

/**
 * When a sleeping run wakes: its earliest open timer (a tool's `ctx.sleep`) or the earliest
 * `notBefore` / `delayMs` (after the plan step's start) of a subtask not started yet. Undefined
 * when there is neither.
 */
export function wakeTimeOf(steps: readonly Step[], subtasks: readonly { readonly id: string; readonly notBefore?: string | undefined; readonly delayMs?: number | undefined }[]): Date | undefined {
  const timers = steps.filter((s) => s.kind === "sleep" && s.status === "started").map((s) => Date.parse(String((s.output as { wakeAt?: unknown } | undefined)?.wakeAt)));
  const started = new Set(steps.map((s) => /^subtask\/([^/]+)\//.exec(s.key)?.[1]));
  const planStartedAt = steps.find((s) => s.key === stepKeys.plan)?.startedAt.getTime() ?? Number.NaN;
  const held = subtasks.filter((t) => (t.notBefore !== undefined || t.delayMs !== undefined) && !started.has(t.id)).map((t) => subtaskDueAt(t, planStartedAt)).filter((at) => at > 0);
  const due = [...timers, ...held].filter(Number.isFinite);
  return due.length === 0 ? undefined : new Date(Math.min(...due));
}

export const stepKeys = {
  plan: "plan",
  call: (subtaskId: string, n: number) => `subtask/${subtaskId}/call/${n}`,
  modelTurn: (subtaskId: string, n: number) => `subtask/${subtaskId}/model/${n}`,
  approval: (subtaskId: string, n: number) => `subtask/${subtaskId}/approval/${n}`,
  subtaskDone: (subtaskId: string) => `subtask/${subtaskId}/done`,
  /** The timer a tool call set (`ctx.sleep`): its due time is recorded once, on the first pass. */
  sleep: (subtaskId: string, n: number) => `subtask/${subtaskId}/sleep/${n}`,
  /** Names the wait for a subtask's `notBefore` in a sleeping outcome; nothing is journaled under it. */
  notBefore: (subtaskId: string) => `subtask/${subtaskId}/not-before`,
  /** The `k`-th question (from 0) the handler of call `n` asked (`ctx.ask`); the answer is this step's output. */
  /** The `n`-th child run (from 0) of a subtask carried out as a run of its own (`agent: "run"`); the step holds the child's id. */
  child: (subtaskId: string, n: number) => `subtask/${subtaskId}/child/${n}`,
  input: (subtaskId: string, n: number, k: number) => (k === 0 ? `subtask/${subtaskId}/input/${n}` : `subtask/${subtaskId}/input/${n}.${k}`),
} as const;
