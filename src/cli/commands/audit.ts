import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { checkpointStoreAt, loadSigningKey, readAuditLog, signCheckpoint, verifyAuditChain } from "../../audit/index.js";
import type { CheckpointStore } from "../../audit/index.js";
import { ArtifactError } from "../../artifacts/index.js";
import { EXIT_OK, EXIT_TASK_FAILED, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { openStore } from "../../store/index.js";
import type { ServiceStore } from "../../store/index.js";

export interface AuditOptions {
  dir?: string;
  /** `checkpoint`: a directory or s3:// URL to write to (`--dir` is the directory-only older form). */
  to?: string;
  /** `verify`: a directory or s3:// URL to read the checkpoints from. */
  from?: string;
  key?: string;
  publicKey?: string;
  json?: boolean;
}

/**
 * `cs-agents audit verify`: walks the chain and checks the signed checkpoints; exit 0 when whole,
 * 1 naming the first broken entry.
 */
export async function auditVerifyCommand(context: CommandContext, options: AuditOptions): Promise<number> {
  const where = checkpointLocation(context, options.from, options.dir, "--from");
  const publicKey = verifyingKey(context, options);
  if (where && !publicKey) throw new UsageError("checking checkpoints needs a key: --public-key <pem>, or CS_AGENTS_AUDIT_SIGNING_KEY_FILE");
  const checkpoints = where && publicKey ? await withCheckpoints(where, (at) => at.read(publicKey)) : [];
  const verdict = await withStore(context, (store) => verifyAuditChain(readAuditLog(store), checkpoints));
  if (options.json) context.io.stdout.write(`${JSON.stringify(verdict)}\n`);
  else if (verdict.ok) {
    const head = verdict.head ? `, head ${verdict.head.seq} ${verdict.head.hash}` : "";
    const cps = where ? `, ${verdict.checkpoints} signed checkpoint(s) match` : " (no checkpoint location: a truncated tail would not be noticed)";
    context.io.stdout.write(`audit log intact: ${verdict.entries} entries${head}${cps}\n`);
  } else context.io.stdout.write(`audit log BROKEN at entry ${verdict.seq}: ${verdict.reason}\n`);
  return verdict.ok ? EXIT_OK : EXIT_TASK_FAILED;
}

/** `cs-agents audit checkpoint`: signs the current head and writes it outside the database. */
export async function auditCheckpointCommand(context: CommandContext, options: AuditOptions): Promise<number> {
  const where = checkpointLocation(context, options.to, options.dir, "--to");
  const keyFile = options.key ?? context.config.CS_AGENTS_AUDIT_SIGNING_KEY_FILE;
  if (!keyFile) throw new UsageError("no signing key: set CS_AGENTS_AUDIT_SIGNING_KEY_FILE (or --key) to an Ed25519 private key in PEM");
  if (!where) throw new UsageError("nowhere to write: set CS_AGENTS_AUDIT_CHECKPOINT_URL to an s3:// bucket or CS_AGENTS_AUDIT_CHECKPOINT_DIR to a directory outside the database (or --to)");
  const key = loadSigningKey(readPem(keyFile, "CS_AGENTS_AUDIT_SIGNING_KEY_FILE"));
  const head = await withStore(context, (store) => store.auditHead());
  if (!head) {
    context.io.stdout.write("the audit log is empty; nothing to sign\n");
    return EXIT_OK;
  }
  const path = await withCheckpoints(where, (at) => at.write(signCheckpoint(head, key)));
  context.io.stdout.write(options.json ? `${JSON.stringify({ seq: head.seq, hash: head.hash, path })}\n` : `signed entry ${head.seq} (${head.hash}) → ${path}\n`);
  return EXIT_OK;
}

/**
 * Where the checkpoints are: the option, else CS_AGENTS_AUDIT_CHECKPOINT_URL, else
 * CS_AGENTS_AUDIT_CHECKPOINT_DIR; undefined when none is set. Checked before anything is read.
 */
function checkpointLocation(context: CommandContext, location: string | undefined, dir: string | undefined, flag: "--to" | "--from"): CheckpointStore | undefined {
  if (location !== undefined && dir !== undefined) throw new UsageError(`${flag} and --dir both name where the checkpoints are; give one`);
  const given = location ?? dir;
  if (given !== undefined && given.trim() === "") throw new UsageError(`${location !== undefined ? flag : "--dir"} is empty; expected a directory or s3://bucket[/prefix]`);
  const chosen = given ?? (context.config.CS_AGENTS_AUDIT_CHECKPOINT_URL || context.config.CS_AGENTS_AUDIT_CHECKPOINT_DIR);
  if (!chosen) return undefined;
  if (dir !== undefined && chosen.startsWith("s3://")) throw new UsageError(`--dir takes a directory; for a bucket use ${flag} ${chosen.replace(/\?.*$/, "")}`);
  try {
    return checkpointStoreAt(chosen);
  } catch (error) {
    // A URL typed on the command line is a usage mistake (exit 2), named as the store names it.
    if (given !== undefined && error instanceof ArtifactError) throw new UsageError(error.message);
    throw error;
  }
}

async function withCheckpoints<T>(store: CheckpointStore, use: (store: CheckpointStore) => Promise<T>): Promise<T> {
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function verifyingKey(context: CommandContext, options: AuditOptions): KeyObject | undefined {
  if (options.publicKey) return createPublicKey(readPem(options.publicKey, "--public-key"));
  const keyFile = options.key ?? context.config.CS_AGENTS_AUDIT_SIGNING_KEY_FILE;
  return keyFile ? createPublicKey(loadSigningKey(readPem(keyFile, "CS_AGENTS_AUDIT_SIGNING_KEY_FILE"))) : undefined;
}

function readPem(path: string, name: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`${name}: cannot read ${path}`);
  }
}

async function withStore<T>(context: CommandContext, use: (store: ServiceStore) => Promise<T>): Promise<T> {
  const store = await openStore(context.config.DATABASE_URL, { migrate: context.config.CS_AGENTS_MIGRATE });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
