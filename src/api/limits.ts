import type { z } from "zod";
import { formatZodIssues } from "../core/index.js";
import { ApiError } from "./problem.js";

/**
 * Parses one part of a request with its schema.
 * @throws ApiError (UNKNOWN_FIELDS) naming fields the schema does not know, (INVALID_INPUT) naming
 *   the field and what was expected.
 */
export function parsePart<T>(schema: z.ZodType<T>, value: unknown, part: "body" | "query" | "path"): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const unknown = parsed.error.issues.flatMap((issue) => (issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k].join(".")) : []));
  if (unknown.length > 0) throw new ApiError("UNKNOWN_FIELDS", `unknown ${part} field${unknown.length > 1 ? "s" : ""}: ${unknown.map(safeName).join(", ")}`);
  if (value === undefined && part === "body") throw new ApiError("INVALID_INPUT", "a JSON body (Content-Type: application/json) is required");
  throw new ApiError("INVALID_INPUT", `${part}: ${formatZodIssues(parsed.error.issues)}`);
}

/** A field name as echoed back: printable, bounded. */
function safeName(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}
