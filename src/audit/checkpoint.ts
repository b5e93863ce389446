import { createHash, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { canonicalJson, CsAgentsError } from "../core/index.js";

/** A signed statement "entry `seq` of the audit log had hash `hash` at `at`", kept outside the database. */
export interface Checkpoint {
  readonly version: 1;
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  /** SHA-256 (hex, first 16) of the public key's DER: which key signed it. */
  readonly keyId: string;
  /** Ed25519 signature (base64) over the canonical JSON of { version, seq, hash, at, keyId }. */
  readonly signature: string;
}

const CheckpointSchema = z.strictObject({
  version: z.literal(1),
  seq: z.number().int().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

/**
 * Reads an Ed25519 private key (PEM). The public half verifies.
 * @throws CsAgentsError (AUDIT_CONFIG) when it is not an Ed25519 private key.
 */
export function loadSigningKey(pem: string): KeyObject {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "ed25519") throw new Error(`a ${key.asymmetricKeyType ?? "unknown"} key`);
    return key;
  } catch (error) {
    throw new CsAgentsError("AUDIT_CONFIG", `CS_AGENTS_AUDIT_SIGNING_KEY_FILE must hold an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519): ${(error as Error).message}`);
  }
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
}

/** Signs the head of the log. */
export function signCheckpoint(head: { readonly seq: number; readonly hash: string }, privateKey: KeyObject, at = new Date()): Checkpoint {
  const body = { version: 1 as const, seq: head.seq, hash: head.hash, at: at.toISOString(), keyId: keyIdOf(createPublicKey(privateKey)) };
  return { ...body, signature: sign(null, Buffer.from(canonicalJson(body)), privateKey).toString("base64") };
}

/** True when the checkpoint was signed by this key and not altered since. */
export function verifyCheckpoint(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  const { signature, ...body } = checkpoint;
  return body.keyId === keyIdOf(publicKey) && verify(null, Buffer.from(canonicalJson(body)), publicKey, Buffer.from(signature, "base64"));
}

/**
 * `checkpoint-<seq>-<time>.json`: by the head's sequence (zero-padded, so names sort in log
 * order) and the signing time, so two checkpoints never share a name.
 */
export function checkpointName(checkpoint: Pick<Checkpoint, "seq" | "at">): string {
  return `checkpoint-${String(checkpoint.seq).padStart(12, "0")}-${checkpoint.at.replace(/[:.]/g, "")}.json`;
}

/** A checkpoint's file or object body. */
export function checkpointText(checkpoint: Checkpoint): string {
  return `${JSON.stringify(checkpoint, null, 2)}\n`;
}

/** True for the names `checkpointName` gives (other files beside them are left alone). */
export function isCheckpointName(name: string): boolean {
  return /^checkpoint-.*\.json$/.test(name);
}

/**
 * Reads one checkpoint's text and checks its signature; `where` names it in errors.
 * @throws CsAgentsError (AUDIT_CHECKPOINT_INVALID) when it is malformed or not signed by the key.
 */
export function parseCheckpoint(text: string, where: string, publicKey: KeyObject): Checkpoint {
  let parsed: Checkpoint;
  try {
    parsed = CheckpointSchema.parse(JSON.parse(text));
  } catch {
    throw new CsAgentsError("AUDIT_CHECKPOINT_INVALID", `checkpoint ${where} is not a checkpoint file`);
  }
  if (!verifyCheckpoint(parsed, publicKey)) throw new CsAgentsError("AUDIT_CHECKPOINT_INVALID", `checkpoint ${where} is not signed by the configured key: forged or altered`);
  return parsed;
}

/**
 * Writes `checkpointName(checkpoint)` into `dir` (created when missing), whole or not at all,
 * and never over an existing checkpoint. Returns the path.
 * @throws CsAgentsError (AUDIT_CHECKPOINT_EXISTS) when that name is taken.
 */
export function writeCheckpoint(dir: string, checkpoint: Checkpoint): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, checkpointName(checkpoint));
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, checkpointText(checkpoint), { flag: "wx" });
  try {
    // A link, not a rename: a rename would silently replace a checkpoint already there.
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new CsAgentsError("AUDIT_CHECKPOINT_EXISTS", `checkpoint ${path} exists already; checkpoints are never overwritten`);
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return path;
}

/**
 * Reads every checkpoint in `dir` and checks its signature.
 * @throws CsAgentsError (AUDIT_CHECKPOINT_INVALID) naming a file that is malformed or not signed by the key.
 */
export function readCheckpoints(dir: string, publicKey: KeyObject): Checkpoint[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter(isCheckpointName).sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const path = join(dir, name);
    return parseCheckpoint(readFileSync(path, "utf8"), path, publicKey);
  });
}
