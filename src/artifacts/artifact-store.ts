import { createHash } from "node:crypto";
import { CsAgentsError } from "../core/index.js";

/**
 * Content-addressed storage for the bytes a run produces (its artifacts, and any large value a
 * journal step holds): each blob is stored once under the SHA-256 of its bytes, so the same
 * report written by two runs, or a chart held by a tool's output and by the report, costs one
 * copy. The database keeps only references (`blob-ref.ts`).
 */
export interface ArtifactStore {
  /** Where the blobs are, for messages (never a secret: credentials are not part of it). */
  readonly location: string;
  /** Stores the bytes (once: a blob already there is not written again); their SHA-256 in hex. */
  put(bytes: Uint8Array): Promise<string>;
  /**
   * The bytes stored under this hash, checked against it.
   * @throws ArtifactError ARTIFACT_MISSING when there is no such blob, ARTIFACT_CORRUPT when
   *   the bytes found do not hash to it, ARTIFACT_STORE_UNAVAILABLE when the store cannot be read.
   */
  get(sha256: string): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
  /** Every hash stored, in no set order. */
  list(): AsyncIterable<string>;
  /**
   * Every blob with its size and when it was last written (a `put` of a blob already there
   * counts as a write), in no set order; for `collectGarbage`. Stores without it cannot be collected.
   */
  listBlobs?(): AsyncIterable<BlobInfo>;
  /** When the blob was last written, or undefined when it is not there. */
  writtenAt?(sha256: string): Promise<Date | undefined>;
  /** Removes the blob; removing one that is not there is no error. */
  delete?(sha256: string): Promise<void>;
  /** Lets go of connections, when it holds any. */
  close?(): Promise<void>;
}

/** A stored blob as `listBlobs` gives it. */
export interface BlobInfo {
  readonly sha256: string;
  readonly bytes: number;
  readonly writtenAt: Date;
}

/** A failure of the artifact store, with a stable code. */
export class ArtifactError extends CsAgentsError {
  constructor(code: "ARTIFACT_MISSING" | "ARTIFACT_CORRUPT" | "ARTIFACT_STORE_UNAVAILABLE" | "ARTIFACT_STORE_CONFIG", message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: code === "ARTIFACT_STORE_UNAVAILABLE" });
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Refuses anything but 64 lowercase hex digits: a hash becomes a file name or an object key. */
export function checkSha256(sha256: string): string {
  if (!SHA256.test(sha256)) throw new ArtifactError("ARTIFACT_MISSING", `"${sha256.slice(0, 80)}" is not a SHA-256 in hex`);
  return sha256;
}

/** The bytes, when they hash to `sha256`. */
export function verified(sha256: string, bytes: Buffer, location: string): Buffer {
  const found = sha256Hex(bytes);
  if (found !== sha256) throw new ArtifactError("ARTIFACT_CORRUPT", `blob ${sha256} in ${location} holds bytes hashing to ${found}`);
  return bytes;
}
