import { AUDIT_GENESIS_HASH, auditEntryHash } from "../store/index.js";
import type { AuditEntry, AuditStore } from "../store/index.js";
import type { Checkpoint } from "./checkpoint.js";

/** What `verifyAuditChain` found. `seq` names the first broken entry. */
export type ChainVerdict =
  | { readonly ok: true; readonly entries: number; readonly head: { readonly seq: number; readonly hash: string } | undefined; readonly checkpoints: number }
  | { readonly ok: false; readonly seq: number; readonly reason: string };

/**
 * Walks the chain from the first entry: every entry must carry the next sequence number, the
 * previous entry's hash, and its own correct hash. Then every signed checkpoint must match the
 * entry it names, so a truncated tail or a consistently rewritten chain is caught too.
 * Checkpoints must already have passed `verifyCheckpoint`.
 */
export async function verifyAuditChain(entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>, checkpoints: readonly Checkpoint[] = []): Promise<ChainVerdict> {
  const wanted = new Map(checkpoints.map((c) => [c.seq, c]));
  let expected = 1;
  let prevHash = AUDIT_GENESIS_HASH;
  for await (const entry of entries) {
    if (entry.seq !== expected) {
      return entry.seq > expected
        ? { ok: false, seq: expected, reason: `entry ${expected} is missing (the next entry is ${entry.seq}): deleted` }
        : { ok: false, seq: entry.seq, reason: `entry ${entry.seq} appears again after entry ${expected - 1}: inserted or reordered` };
    }
    if (entry.prevHash !== prevHash) {
      return { ok: false, seq: entry.seq, reason: `entry ${entry.seq} does not follow entry ${entry.seq - 1} (previous hash differs): inserted, reordered or an earlier entry rewritten` };
    }
    if (auditEntryHash(entry.prevHash, entry) !== entry.hash) {
      return { ok: false, seq: entry.seq, reason: `entry ${entry.seq} does not match its hash: modified` };
    }
    const checkpoint = wanted.get(entry.seq);
    if (checkpoint && checkpoint.hash !== entry.hash) {
      return { ok: false, seq: entry.seq, reason: `entry ${entry.seq} differs from the signed checkpoint of ${checkpoint.at}: the chain was rewritten` };
    }
    prevHash = entry.hash;
    expected += 1;
  }
  const last = expected - 1;
  const beyond = [...wanted.keys()].filter((seq) => seq > last).sort((a, b) => a - b)[0];
  if (beyond !== undefined) {
    return { ok: false, seq: last + 1, reason: `the log ends at entry ${last}, but a signed checkpoint records entry ${beyond}: the tail was truncated` };
  }
  return { ok: true, entries: last, head: last === 0 ? undefined : { seq: last, hash: prevHash }, checkpoints: checkpoints.length };
}

/** The whole log, page by page, in sequence order. */
export async function* readAuditLog(store: Pick<AuditStore, "listAudit">, pageSize = 1_000): AsyncIterable<AuditEntry> {
  let afterSeq = 0;
  for (;;) {
    const page = await store.listAudit({ afterSeq, limit: pageSize });
    yield* page;
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    afterSeq = last.seq;
  }
}
