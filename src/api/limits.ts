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
  if (unknown.length > 0) {
    const fields = unknown.map(safeName).join(", ");
    throw new ApiError("UNKNOWN_FIELDS", `unknown ${part} field${unknown.length > 1 ? "s" : ""}: ${fields}`, { i18n: { key: `api.unknown-fields.${part}`, params: { fields } } });
  }
  if (value === undefined && part === "body") throw new ApiError("INVALID_INPUT", "a JSON body (Content-Type: application/json) is required", { i18n: { key: "api.body-required" } });
  // Field paths name what was wrong in any language; zod's own wording stays in the English detail.
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".")).filter((path) => path !== ""))].map(safeName).join(", ");
  const i18n = fields === "" ? { key: `api.invalid-part.${part}` } : { key: `api.invalid-fields.${part}`, params: { fields } };
  throw new ApiError("INVALID_INPUT", `${part}: ${formatZodIssues(parsed.error.issues)}`, { i18n });
}

/** A field name as echoed back: printable, bounded. */
function safeName(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}

/** A query where the operation takes none: UNKNOWN_FIELDS names what was sent. */
export function checkNoQuery(query: unknown): undefined {
  const keys = query && typeof query === "object" ? Object.keys(query) : [];
  if (keys.length > 0) throw new ApiError("UNKNOWN_FIELDS", `unknown query field${keys.length > 1 ? "s" : ""}: ${keys.slice(0, 10).join(", ")}`, { i18n: { key: "api.unknown-fields.query", params: { fields: keys.slice(0, 10).join(", ") } } });
  return undefined;
}

/** A body where the operation takes none: empty objects pass. */
export function checkNoBody(body: unknown): undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "object" && !Array.isArray(body)) {
    const keys = Object.keys(body);
    if (keys.length === 0) return undefined;
    throw new ApiError("UNKNOWN_FIELDS", `unknown body field${keys.length > 1 ? "s" : ""}: ${keys.slice(0, 10).join(", ")}`, { i18n: { key: "api.unknown-fields.body", params: { fields: keys.slice(0, 10).join(", ") } } });
  }
  throw new ApiError("INVALID_INPUT", "this operation takes no body", { i18n: { key: "api.no-body" } });
}
