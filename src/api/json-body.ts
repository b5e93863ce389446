import type { FastifyInstance } from "fastify";
import { ApiError } from "./problem.js";

/** What one pass over a JSON text found, before it is parsed. */
export type JsonScan = { readonly tooDeep: true } | { readonly tooDeep: false; readonly keys: number };

/**
 * One pass over a JSON text, without parsing it: its nesting depth (stopping once past
 * `maxDepth`, so a hostile, deeply nested body never reaches a recursive parser) and how many
 * object keys it spells out. Meaningful only for a text `JSON.parse` accepts.
 */
export function scanJson(text: string, maxDepth: number): JsonScan {
  // inObject[d]: whether the container at depth d is an object (so a comma there precedes a key).
  const inObject: boolean[] = [false];
  let depth = 0;
  let keys = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x22) break;
        if (d === 0x5c) i++; // backslash: skip the escaped character
      }
      if (expectKey) keys++;
      expectKey = false;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return { tooDeep: true };
      expectKey = c === 0x7b;
      inObject[depth] = expectKey;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = inObject[depth] === true;
    }
  }
  return { tooDeep: false, keys };
}

/**
 * Walks a parsed body: counts its keys (fewer than the text spelled out means a key appeared
 * twice in one object and `JSON.parse` silently kept the last) and refuses `__proto__` and
 * `constructor.prototype` keys, which could pollute prototypes wherever the value is merged.
 * @throws ApiError (INVALID_JSON) naming the forbidden key.
 */
function countKeys(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countKeys(item);
    return count;
  }
  const record = value as Record<string, unknown>;
  const names = Object.keys(record);
  count = names.length;
  for (const name of names) {
    const child = record[name];
    if (name === "__proto__") throw new ApiError("INVALID_JSON", 'the JSON body holds a "__proto__" key, which is refused');
    if (name === "constructor" && child !== null && typeof child === "object" && Object.hasOwn(child, "prototype")) {
      throw new ApiError("INVALID_JSON", 'the JSON body holds a "constructor.prototype" key, which is refused');
    }
    count += countKeys(child);
  }
  return count;
}

/**
 * The first key that appears twice in one object, compared after unescaping (`"a"` and
 * `"\u0061"` are one key); only called once the counts show there is one, to name it.
 */
export function firstDuplicateKey(text: string): string | undefined {
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i + 1;
      for (i = start; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      const seen = open[open.length - 1];
      if (expectKey && seen) {
        const key = JSON.parse(`"${text.slice(start, i)}"`) as string;
        if (seen.has(key)) return key;
        seen.add(key);
      }
      expectKey = false;
    } else if (c === 0x7b || c === 0x5b) {
      open.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = Boolean(open[open.length - 1]);
    }
  }
  return undefined;
}

// Fatal: a byte sequence that is not UTF-8 (stray bytes, overlong forms such as C0 AE, encoded
// surrogates, truncated sequences) is an error, never silently replaced by U+FFFD.
const UTF8 = new TextDecoder("utf-8", { fatal: true });
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * `application/json` bodies, strictly: UTF-8 only, depth checked on the raw text before parsing,
 * no key twice in one object, no `__proto__` or `constructor.prototype` keys. One scan of the
 * text, `JSON.parse`, one walk of the result.
 */
export function installJsonParser(app: FastifyInstance, maxDepth: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer, request.headers["content-type"] ?? "", maxDepth));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/**
 * @throws ApiError (UNSUPPORTED_MEDIA_TYPE) for a charset other than UTF-8, (INVALID_JSON) saying
 *   what is wrong, (JSON_TOO_DEEP).
 */
export function parseJsonBody(body: Buffer, contentType: string, maxDepth: number): unknown {
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "send the JSON body as UTF-8 (charset=utf-8 or no charset)");
  }
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new ApiError("INVALID_JSON", "the body is not valid UTF-8 (a stray byte, an overlong form or a truncated sequence); send JSON encoded as UTF-8");
  }
  if (text.trim() === "") throw new ApiError("INVALID_JSON", "the body is empty; send a JSON object", { i18n: { key: "api.empty-json" } });
  const scan = scanJson(text, maxDepth);
  if (scan.tooDeep) throw new ApiError("JSON_TOO_DEEP", `the JSON body is nested deeper than ${maxDepth} levels`, { i18n: { key: "api.json-too-deep", params: { max: maxDepth } } });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    throw new ApiError("INVALID_JSON", `the body is not valid JSON${at ? ` (at character ${at})` : ""}`, { i18n: { key: "api.invalid-json" } });
  }
  if (countKeys(value) !== scan.keys) {
    const key = firstDuplicateKey(text) ?? "?";
    throw new ApiError("INVALID_JSON", `the JSON body has the key "${shownKey(key)}" twice in one object; each key may appear once`);
  }
  return value;
}

/** A key as echoed back: printable, bounded. */
function shownKey(key: string): string {
  const printable = key.replace(/[^\x20-\x7e]|["\\]/g, "?");
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}
