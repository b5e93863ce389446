import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadSigningKey, readAuditLog, readCheckpoints, signCheckpoint, verifyAuditChain, writeCheckpoint } from "../../audit/index.js";
import { EXIT_OK, EXIT_TASK_FAILED, UsageError } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { openStore } from "../../store/index.js";
import type { ServiceStore } from "../../store/index.js";

export interface AuditOptions {
  dir?: string;
  key?: string;
  publicKey?: string;
  json?: boolean;
}

/**
 * `cs-agents audit verify`: walks the chain and checks the signed checkpoints; exit 0 when whole,
 * 1 naming the first broken entry.
 */
export async function auditVerifyCommand(context: CommandContext, options: AuditOptions): Promise<number> {
  const dir = options.dir ?? context.config.CS_AGENTS_AUDIT_CHECKPOINT_DIR;
  const publicKey = verifyingKey(context, options);
  if (dir && !publicKey) throw new UsageError("checking checkpoints needs a key: --public-key <pem>, or CS_AGENTS_AUDIT_SIGNING_KEY_FILE");
  const checkpoints = dir && publicKey ? readCheckpoints(dir, publicKey) : [];
  const verdict = await withStore(context, (store) => verifyAuditChain(readAuditLog(store), checkpoints));
  if (options.json) context.io.stdout.write(`${JSON.stringify(verdict)}\n`);
  else if (verdict.ok) {
    const head = verdict.head ? `, head ${verdict.head.seq} ${verdict.head.hash}` : "";
    const cps = dir ? `, ${verdict.checkpoints} signed checkpoint(s) match` : " (no checkpoint directory: a truncated tail would not be noticed)";
    context.io.stdout.write(`audit log intact: ${verdict.entries} entries${head}${cps}\n`);
  } else context.io.stdout.write(`audit log BROKEN at entry ${verdict.seq}: ${verdict.reason}\n`);
  return verdict.ok ? EXIT_OK : EXIT_TASK_FAILED;
}

/** `cs-agents audit checkpoint`: signs the current head and writes it outside the database. */
export async function auditCheckpointCommand(context: CommandContext, options: AuditOptions): Promise<number> {
  const dir = options.dir ?? context.config.CS_AGENTS_AUDIT_CHECKPOINT_DIR;
  const keyFile = options.key ?? context.config.CS_AGENTS_AUDIT_SIGNING_KEY_FILE;
  if (!keyFile) throw new UsageError("no signing key: set CS_AGENTS_AUDIT_SIGNING_KEY_FILE (or --key) to an Ed25519 private key in PEM");
  if (!dir) throw new UsageError("nowhere to write: set CS_AGENTS_AUDIT_CHECKPOINT_DIR (or --dir) to a directory outside the database");
  const key = loadSigningKey(readPem(keyFile, "CS_AGENTS_AUDIT_SIGNING_KEY_FILE"));
  const head = await withStore(context, (store) => store.auditHead());
  if (!head) {
    context.io.stdout.write("the audit log is empty; nothing to sign\n");
    return EXIT_OK;
  }
  const path = writeCheckpoint(dir, signCheckpoint(head, key));
  context.io.stdout.write(options.json ? `${JSON.stringify({ seq: head.seq, hash: head.hash, path })}\n` : `signed entry ${head.seq} (${head.hash}) → ${path}\n`);
  return EXIT_OK;
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
