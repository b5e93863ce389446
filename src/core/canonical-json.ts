import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every depth; arrays keep their order. The same value always
 * gives the same text, whatever order its keys were written in: what hashes are taken over
 * (cache keys, approval bindings, the audit chain). `undefined` becomes the empty string.
 * @throws TypeError for values JSON cannot hold (bigint, cycles).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys) ?? "";
}

/** Hex SHA-256 of the canonical JSON of `value`. */
export function canonicalHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
}
