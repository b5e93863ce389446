import { utf8Bytes, type TokenCounter } from "./count-tokens.js";

/** The function the model calls to read a slice of a value given by reference. */
export const READ_RESULT = "read_result";

/** Values larger than this (JSON, in tokens) go into the prompt by reference, not inline. */
export const INLINE_LIMIT_TOKENS = 1_500;

/** Most characters one read_result call returns. */
export const READ_SLICE_MAX_CHARS = 6_000;

const PREVIEW_CHARS = 400;

/** What the system prompt says about references (the same for every turn: cache friendly). */
export const REFERENCE_RULE =
  `A large value (a tool result or an earlier subtask's result) is given by reference: {"$ref": handle, "tokens": …, "chars": …, "preview": …}. ` +
  `Call ${READ_RESULT} with the handle, an offset and a length (at most ${READ_SLICE_MAX_CHARS} characters) to read a slice of its JSON text. ` +
  `To hand the whole value on without copying it, write {"$ref": handle} as a tool argument or as your entire final answer.`;

export const READ_RESULT_DESCRIPTION =
  `Reads a slice of the JSON text of a value given by reference ({"$ref": handle}); offset and length in characters (length at most ${READ_SLICE_MAX_CHARS}).`;

export const READ_RESULT_SCHEMA = {
  type: "object",
  properties: {
    handle: { type: "string", description: "the $ref of the value, e.g. result:0 or dependency:analyse" },
    offset: { type: "integer", minimum: 0, default: 0 },
    length: { type: "integer", minimum: 1, maximum: READ_SLICE_MAX_CHARS, default: READ_SLICE_MAX_CHARS },
  },
  required: ["handle"],
  additionalProperties: false,
} as const;

/** The large values of one turn's prompt, by handle. */
export class ResultReferences {
  private readonly values = new Map<string, { value: unknown; json: string }>();

  /** `count` may be left out when no value is over `limit` bytes (see needsCounting). */
  constructor(
    private readonly count: TokenCounter | undefined,
    private readonly limit = INLINE_LIMIT_TOKENS,
  ) {}

  /** True when some value is large enough that only a tokenizer can say whether it fits. */
  static needsCounting(values: readonly unknown[], limit = INLINE_LIMIT_TOKENS): boolean {
    return values.some((value) => utf8Bytes(JSON.stringify(value ?? null)) > limit);
  }

  /** `value` itself when it is small, else a reference to it (kept here for reads). */
  shrink(handle: string, value: unknown): unknown {
    const json = JSON.stringify(value ?? null);
    // Bytes bound tokens from above: small values are never tokenized.
    if (utf8Bytes(json) <= this.limit) return value;
    const tokens = this.count ? this.count(json) : utf8Bytes(json);
    if (tokens <= this.limit) return value;
    this.values.set(handle, { value, json });
    return { $ref: handle, tokens, chars: json.length, preview: `${json.slice(0, PREVIEW_CHARS)}…` };
  }

  get size(): number {
    return this.values.size;
  }

  /**
   * A slice of a referenced value's JSON text, or the problem with the request.
   */
  read(input: unknown): { readonly ok: true; readonly slice: unknown } | { readonly ok: false; readonly problem: string } {
    const { handle, offset = 0, length = READ_SLICE_MAX_CHARS } = (input ?? {}) as { handle?: unknown; offset?: unknown; length?: unknown };
    const entry = typeof handle === "string" ? this.values.get(handle) : undefined;
    if (!entry) return { ok: false, problem: `error: unknown handle ${JSON.stringify(handle)}; the handles are: ${[...this.values.keys()].join(", ") || "none"}` };
    if (!isCount(offset) || !isCount(length) || length < 1) return { ok: false, problem: "error: offset and length must be whole numbers (length at least 1)" };
    const end = Math.min(entry.json.length, offset + Math.min(length, READ_SLICE_MAX_CHARS));
    return { ok: true, slice: { handle, offset, end, chars: entry.json.length, text: entry.json.slice(offset, end) } };
  }

  /**
   * `value` with every `{"$ref": handle}` object replaced by the value it stands for. Fails on a
   * handle this turn does not hold, so a made-up reference never passes as data.
   */
  resolve(value: unknown): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string } {
    let unknown: string | undefined;
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (v === null || typeof v !== "object") return v;
      const ref = (v as { $ref?: unknown }).$ref;
      if (typeof ref === "string") {
        const entry = this.values.get(ref);
        if (entry) return entry.value;
        unknown ??= ref;
        return v;
      }
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    };
    const resolved = walk(value);
    return unknown === undefined ? { ok: true, value: resolved } : { ok: false, problem: `error: unknown handle "${unknown}" in {"$ref": …}; the handles are: ${[...this.values.keys()].join(", ") || "none"}` };
  }
}

const isCount = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
