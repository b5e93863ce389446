import type { ArtifactStore } from "./artifact-store.js";

/**
 * A value moved out of a database row into the artifact store, as the row keeps it:
 * `{ "cs-agents/blob": <sha256>, "form": …, "size": <bytes> }`. `form` says how the stored
 * bytes become the value again: `utf8` (a string), `base64` (a string holding binary bytes, such
 * as an artifact with `encoding: "base64"`: the blob is the file itself), `json` (any JSON
 * value, itself possibly holding references).
 */
export interface BlobRef {
  readonly "cs-agents/blob": string;
  readonly form: "utf8" | "base64" | "json";
  readonly size: number;
}

export const BLOB_KEY = "cs-agents/blob";

/**
 * JSON text at or above this many bytes leaves the row. A journal step then holds at most about
 * this much per column, whatever its tool returned: a report run's 13 steps fit in a few KiB.
 */
export const DEFAULT_INLINE_LIMIT = 1_024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isBlobRef(value: unknown): value is BlobRef {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const ref = value as Record<string, unknown>;
  const keys = Object.keys(ref);
  return (
    keys.length === 3 &&
    typeof ref[BLOB_KEY] === "string" &&
    /^[0-9a-f]{64}$/.test(ref[BLOB_KEY]) &&
    (ref.form === "utf8" || ref.form === "base64" || ref.form === "json") &&
    typeof ref.size === "number"
  );
}

/** An artifact (`core/` Artifact) as it appears inside a step's output or a run's result. */
function isArtifactShape(value: Record<string, unknown>): boolean {
  return typeof value.name === "string" && typeof value.mediaType === "string" && typeof value.content === "string" && (value.encoding === undefined || value.encoding === "utf8" || value.encoding === "base64");
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "");
}

/**
 * Moves the large parts of a JSON value into the store, bottom-up: every artifact's content (so
 * each file the run produced is a blob of its own bytes), every string of `limit` bytes or
 * more, and every array or object still that large once its parts are moved. Returns the value
 * with references in their place; packing a packed value changes nothing.
 */
export async function packValue(value: unknown, store: ArtifactStore, limit = DEFAULT_INLINE_LIMIT): Promise<unknown> {
  return pack(value as Json, store, limit);
}

async function pack(value: Json, store: ArtifactStore, limit: number): Promise<Json> {
  if (typeof value === "string") return byteLength(value) >= limit ? ref(await store.put(Buffer.from(value, "utf8")), "utf8", Buffer.byteLength(value)) : value;
  if (value === null || typeof value !== "object") return value;
  if (isBlobRef(value)) return value;
  let packed: Json;
  if (Array.isArray(value)) {
    packed = [];
    for (const item of value) packed.push(await pack(item, store, limit));
  } else {
    const object: { [key: string]: Json } = {};
    const artifact = isArtifactShape(value);
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      object[key] = artifact && key === "content" ? await packContent(item as string, value.encoding === "base64", store) : await pack(item, store, limit);
    }
    packed = object;
  }
  const text = JSON.stringify(packed);
  if (Buffer.byteLength(text) < limit) return packed;
  return ref(await store.put(Buffer.from(text, "utf8")), "json", Buffer.byteLength(text));
}

/** An artifact's content always leaves the row; binary content is stored as its bytes. */
async function packContent(content: string, base64: boolean, store: ArtifactStore): Promise<Json> {
  if (base64) {
    const bytes = Buffer.from(content, "base64");
    // Only content that is canonical base64 goes back to the same string.
    if (bytes.toString("base64") === content) return ref(await store.put(bytes), "base64", bytes.length);
  }
  const bytes = Buffer.from(content, "utf8");
  return ref(await store.put(bytes), "utf8", bytes.length);
}

function ref(sha256: string, form: BlobRef["form"], size: number): Json {
  return { [BLOB_KEY]: sha256, form, size };
}

/** The value with every reference replaced by what it refers to (each blob read once). */
export async function unpackValue<T>(value: T, store: ArtifactStore): Promise<T> {
  // A quick look first: most values hold no reference (a submission's run, a page of runs), and
  // the walk below costs a promise per object.
  if (!mayHoldRef(value) || !holdsBlobRef(value)) return value;
  return (await unpack(value as Json, store, new Map())) as T;
}

/** A reference read one level: a JSON blob parsed with the references in it left as they are. */
export async function openRef(value: unknown, store: ArtifactStore): Promise<unknown> {
  return isBlobRef(value) ? decoded(value, await store.get(value[BLOB_KEY])) : value;
}

function decoded(ref: BlobRef, bytes: Buffer): Json {
  if (ref.form === "base64") return bytes.toString("base64");
  return ref.form === "utf8" ? bytes.toString("utf8") : (JSON.parse(bytes.toString("utf8")) as Json);
}

function mayHoldRef(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}

async function unpack(value: Json, store: ArtifactStore, read: Map<string, Promise<Buffer>>): Promise<Json> {
  if (value === null || typeof value !== "object") return value;
  if (isBlobRef(value)) {
    const sha256 = value[BLOB_KEY];
    let bytes = read.get(sha256);
    if (!bytes) {
      bytes = store.get(sha256);
      read.set(sha256, bytes);
    }
    const opened = decoded(value, await bytes);
    return value.form === "json" ? unpack(opened, store, read) : opened;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const items = await Promise.all(
      value.map(async (item) => {
        const next = await unpack(item, store, read);
        if (next !== item) changed = true;
        return next;
      }),
    );
    return changed ? items : value;
  }
  // Dates and other class instances (a Run's createdAt) are not JSON: left as they are.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let changed = false;
  const entries = await Promise.all(
    Object.entries(value).map(async ([key, item]) => {
      const next = await unpack(item, store, read);
      if (next !== item) changed = true;
      return [key, next] as const;
    }),
  );
  return changed ? Object.fromEntries(entries) : value;
}

/** Whether the value holds any reference (a quick look, nothing read). */
export function holdsBlobRef(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (isBlobRef(value)) return true;
  return (Array.isArray(value) ? value : Object.values(value as Record<string, unknown>)).some(holdsBlobRef);
}
