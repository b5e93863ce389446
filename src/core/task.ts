import { z } from "zod";
import { InvalidInputError } from "./errors.js";

export const MAX_TASK_LENGTH = 10_000;

export const TaskSchema = z.object({
  description: z
    .string()
    .refine((s) => s.trim().length > 0, "the task description is empty; describe what to do")
    .refine((s) => s.length <= MAX_TASK_LENGTH, `the task description is longer than ${MAX_TASK_LENGTH} characters`),
  input: z.record(z.string(), z.unknown()).optional(),
  tenant: z.string().min(1).max(200).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
});

/** What was asked: the words of the task, optional structured input, who asked. */
export type Task = z.infer<typeof TaskSchema>;

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
