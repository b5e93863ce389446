import type { z } from "zod";
import type { ErrorInfo, SubtaskResult } from "../../core/index.js";
import type { Turn } from "../../agents/index.js";

/**
 * The first dependency output that has the expected shape. Policies look outputs up by shape,
 * not by subtask id, so they work under any plan that feeds them the right data.
 */
export function findDependencyOutput<T>(dependencies: Readonly<Record<string, SubtaskResult>>, schema: z.ZodType<T>): T | undefined {
  for (const result of Object.values(dependencies)) {
    const parsed = schema.safeParse(result.output);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

export type TurnOutput<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo };

/** The output of this subtask's last successful call to `tool`; undefined when there is none yet. */
export function turnOutput<T>(history: readonly Turn[], tool: string, schema: z.ZodType<T>): TurnOutput<T> | undefined {
  const turn = history.findLast((t) => t.tool === tool && t.result.status === "success");
  if (!turn || turn.result.status !== "success") return undefined;
  const parsed = schema.safeParse(turn.result.output);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: { code: "UNEXPECTED_TOOL_OUTPUT", message: `${tool} returned output of an unexpected shape: ${parsed.error.message}` } };
}
