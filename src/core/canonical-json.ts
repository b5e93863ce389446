import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every depth; arrays keep their order. The same value always
 * gives the same text, whatever order its keys were written in: what hashes are taken over
 * (cache keys, approval bindings, the audit chain). `undefined` becomes the empty string.
 *
 * The text is, byte for byte, `JSON.stringify(value, sortKeys)` where `sortKeys` rebuilds each
 * object with its keys sorted: hashes already stored in audit chains depend on it, including
 * its quirk that keys which are array indices ("0", "10") come first, in numeric order, as in
 * any object JavaScript builds. Written out here because a replacer called for every value made
 * it a tenth of a submission's CPU (test/core/canonical-json.test.ts holds it to that form).
 * @throws TypeError for values JSON cannot hold (bigint, cycles).
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, "", []) ?? "";
}

/** Hex SHA-256 of the canonical JSON of `value`. */
export function canonicalHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/** Largest array index + 1: keys below it that are canonical integers are ordered as numbers. */
const INDEX_LIMIT = 4_294_967_295;
const INDEX = /^(?:0|[1-9]\d{0,9})$/;

/** One property's JSON as `JSON.stringify` makes it (toJSON first), or undefined when it is left out. */
function serialize(input: unknown, key: string | number, ancestors: object[]): string | undefined {
  let value = input;
  if ((typeof value === "object" && value !== null) || typeof value === "function") {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") value = (toJSON as (key: string) => unknown).call(value, String(key));
  }
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      throw new TypeError("Do not know how to serialize a BigInt");
    case "object":
      if (value === null) return "null";
      if (ancestors.includes(value)) throw new TypeError("Converting circular structure to JSON");
      ancestors.push(value);
      try {
        return Array.isArray(value) ? serializeArray(value, ancestors) : serializeObject(value as Record<string, unknown>, ancestors);
      } finally {
        ancestors.pop();
      }
    default:
      return undefined;
  }
}

function serializeArray(array: readonly unknown[], ancestors: object[]): string {
  let text = "[";
  for (let i = 0; i < array.length; i++) text += `${i === 0 ? "" : ","}${serialize(array[i], i, ancestors) ?? "null"}`;
  return `${text}]`;
}

function serializeObject(record: Record<string, unknown>, ancestors: object[]): string {
  let text = "";
  for (const key of orderedKeys(record)) {
    const json = serialize(record[key], key, ancestors);
    if (json !== undefined) text += `${text === "" ? "" : ","}${JSON.stringify(key)}:${json}`;
  }
  return `{${text}}`;
}

/** The keys sorted, then array-index keys moved to the front in numeric order (an object's own key order). */
function orderedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record).sort();
  if (!keys.some(startsWithDigit)) return keys;
  const indices: string[] = [];
  const rest: string[] = [];
  for (const key of keys) (INDEX.test(key) && Number(key) < INDEX_LIMIT ? indices : rest).push(key);
  return indices.length === 0 ? keys : [...indices.sort((a, b) => Number(a) - Number(b)), ...rest];
}

function startsWithDigit(key: string): boolean {
  const code = key.charCodeAt(0);
  return code >= 48 && code <= 57;
}
