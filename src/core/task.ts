import { z } from "zod";
import { InvalidInputError } from "./errors.js";

export const MAX_TASK_LENGTH = 10_000;

/** Claim order within a tenant: 0 (lowest) to 9 (highest); a task that names none has 5. */
export const PRIORITY_MIN = 0;
export const PRIORITY_MAX = 9;
export const DEFAULT_PRIORITY = 5;
const PRIORITY_EXPECTED = `priority must be an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX} (${PRIORITY_MAX} is claimed first; ${DEFAULT_PRIORITY} when not given)`;

/** `version-traceid-parentid-flags`, lower-case hex, ids not all zeros. */
export const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A task's priority: an integer from PRIORITY_MIN to PRIORITY_MAX. */
export const PrioritySchema = z.number({ error: PRIORITY_EXPECTED }).int(PRIORITY_EXPECTED).min(PRIORITY_MIN, PRIORITY_EXPECTED).max(PRIORITY_MAX, PRIORITY_EXPECTED);

/**
 * What remained of a parent run's budget when it submitted this child run; the child runs within
 * the smaller of its own budget and this. An absent field: the parent had no such limit.
 */
export const BudgetLeftSchema = z.object({
  tokens: z.number().int().nonnegative().optional(),
  toolCalls: z.number().int().nonnegative().optional(),
  cost: z.number().nonnegative().optional(),
});

export type BudgetLeft = z.infer<typeof BudgetLeftSchema>;

export const TaskSchema = z.object({
  description: z
    .string()
    .refine((s) => s.trim().length > 0, "the task description is empty; describe what to do")
    .refine((s) => s.length <= MAX_TASK_LENGTH, `the task description is longer than ${MAX_TASK_LENGTH} characters`),
  input: z.record(z.string(), z.unknown()).optional(),
  tenant: z.string().min(1).max(200).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  /** How soon a worker takes the run, against the tenant's other runs; absent means DEFAULT_PRIORITY. */
  priority: PrioritySchema.optional(),
  /**
   * The W3C trace context the run was submitted in, carried with it through the queue so the
   * worker that runs it (or resumes it after a crash) continues the same trace.
   */
  traceparent: z
    .string()
    .regex(TRACEPARENT, "traceparent must be a W3C trace context: 00-<32 hex>-<16 hex>-<2 hex>")
    .optional(),
  /**
   * Where the run's outcome is POSTed when it finishes (a signed webhook). Only the URL's form is
   * checked here; which schemes and addresses are allowed is the service's policy (SSRF).
   */
  callbackUrl: z
    .string()
    .max(2_048, "callbackUrl must be at most 2048 characters")
    .refine(isCallbackUrlForm, "callbackUrl must be an absolute https URL without credentials, e.g. https://hooks.example.com/cs-agents")
    .optional(),
  /** Set on a child run's task by its parent (not through the API): see BudgetLeftSchema. */
  budgetLeft: BudgetLeftSchema.optional(),
});

/** An absolute http(s) URL with a host and no user:password part (a secret would be stored with the task). */
function isCallbackUrlForm(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "" && url.username === "" && url.password === "";
}

/** What was asked: the words of the task, optional structured input, who asked. */
export type Task = z.infer<typeof TaskSchema>;

/** The priority a task is claimed with: its own, or DEFAULT_PRIORITY when it names none. */
export function taskPriority(task: Pick<Task, "priority">): number {
  return task.priority ?? DEFAULT_PRIORITY;
}

/**
 * Parses untrusted task input once, at the boundary.
 * @throws InvalidInputError (INVALID_INPUT) naming the field and what was expected.
 */
export function parseTask(value: unknown): Task {
  const parsed = TaskSchema.safeParse(value);
  if (parsed.success) return { ...parsed.data, description: parsed.data.description.trim() };
  throw new InvalidInputError(formatZodIssues(parsed.error.issues));
}

/** One line per issue: `field: message`. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}
