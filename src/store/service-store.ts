import type { WebhookOutbox } from "./delivery-store.js";
import { createHash } from "node:crypto";
import { canonicalJson } from "../core/index.js";
import type { Run, Step, Task } from "../core/index.js";
import type { ForkStore } from "./fork-rules.js";
import type { InlineValueStore } from "./inline-values.js";
import type { ScheduleStore } from "./schedule-store.js";
import type { AmbiguousDecision, Lease, Store, SubmitOptions } from "./store.js";

// The ports the HTTP service adds to the store (schema version 2): a hash-chained audit log,
// changes written together with their audit entry, the event log SSE streams from, and a
// readiness check. The engine's `Store` ports are unchanged.

/** What to record in the audit log; the store adds the sequence number and the chain hashes. */
export interface AuditDraft {
  /** e.g. `task.submitted`, `task.cancelled`, `approval.approved`, `auth.failed`. */
  readonly action: string;
  /** Who did it: the token subject, `anonymous`, or `system`. */
  readonly actor: string;
  /** The tenant it concerns; `""` when none is known (a rejected token). */
  readonly tenant: string;
  /** What it concerns, e.g. a run id. */
  readonly target?: string;
  /** Anything else worth keeping, as JSON. Never secrets or whole tokens. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Default: now. */
  readonly at?: Date;
}

/** One entry of the chain as stored. `hash` = SHA-256(prevHash + canonical JSON of the body). */
export interface AuditEntry {
  readonly seq: number;
  /** ISO-8601 time, as hashed. */
  readonly at: string;
  readonly action: string;
  readonly actor: string;
  readonly tenant: string;
  readonly target: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
}

/** The previous hash of the first entry. */
export const AUDIT_GENESIS_HASH = "0".repeat(64);

/** The fields of an entry the hash covers, in the form they are hashed. */
export function auditBody(entry: Omit<AuditEntry, "prevHash" | "hash">): Record<string, unknown> {
  return { seq: entry.seq, at: entry.at, action: entry.action, actor: entry.actor, tenant: entry.tenant, target: entry.target, details: entry.details };
}

/** SHA-256 (hex) over the previous hash followed by the canonical JSON of the entry's body. */
export function auditEntryHash(prevHash: string, entry: Omit<AuditEntry, "prevHash" | "hash">): string {
  return createHash("sha256").update(prevHash).update(canonicalJson(auditBody(entry))).digest("hex");
}

/** Seals a draft as the entry after `previous` (or the first entry). */
export function sealAuditEntry(previous: { readonly seq: number; readonly hash: string } | undefined, draft: AuditDraft): AuditEntry {
  const body = {
    seq: (previous?.seq ?? 0) + 1,
    at: (draft.at ?? new Date()).toISOString(),
    action: draft.action,
    actor: draft.actor,
    tenant: draft.tenant,
    target: draft.target ?? null,
    details: { ...(draft.details ?? {}) },
  };
  const prevHash = previous?.hash ?? AUDIT_GENESIS_HASH;
  return { seq: body.seq, at: body.at, action: body.action, actor: body.actor, tenant: body.tenant, target: body.target, details: body.details, prevHash, hash: auditEntryHash(prevHash, body) };
}

export interface AuditListFilter {
  /** Entries with a larger sequence number only (the next page). */
  readonly afterSeq?: number;
  /** Default 100, at most 1,000. */
  readonly limit?: number;
  readonly tenant?: string;
}

/** The append-only, hash-chained audit log. */
export interface AuditStore {
  /** Appends one entry, chained to the current head under a lock, in its own transaction. */
  appendAudit(draft: AuditDraft): Promise<AuditEntry>;
  /** Entries in sequence order. */
  listAudit(filter?: AuditListFilter): Promise<readonly AuditEntry[]>;
  /** The newest entry, or undefined when the log is empty. */
  auditHead(): Promise<AuditEntry | undefined>;
}

/**
 * Where the engine reports sensitive tool calls, refused tools and model outputs;
 * `createStoreAuditSink` in `audit/` adapts a store to it.
 */
export interface AuditSink {
  append(draft: AuditDraft): Promise<void>;
  /**
   * Records a run's step and the audit entry about it in one transaction, fenced by the lease
   * like `StepStore.record`: both or neither. Present when the sink writes to the store the
   * journal is in; without it the step is recorded, then the entry appended.
   */
  readonly recordStep?: (lease: Lease, step: Step, draft: AuditDraft) => Promise<void>;
}

/** A journal write and its audit entry, committed together. */
export interface AuditedStepStore {
  /**
   * As `StepStore.record`, appending `audit` to the chain in the same transaction.
   * @throws JournalError (LEASE_LOST) when the lease is no longer held: nothing is written.
   */
  recordAudited(lease: Lease, step: Step, audit: AuditDraft): Promise<void>;
}

export interface AuditedSubmitOptions extends SubmitOptions {
  /** Hash of the request body: the same Idempotency-Key with another body is refused by the caller. */
  readonly requestHash: string;
  /** The token subject that asked; kept for `requireSeparateApprover`. */
  readonly submittedBy: string;
  /** Refuse (TOO_MANY_ACTIVE_RUNS) when the tenant already has this many unfinished runs. */
  readonly maxActiveRuns?: number;
}

/** A submission as the API sees it: the run plus what was stored with it. */
export interface Submission {
  readonly run: Run;
  readonly created: boolean;
  readonly requestHash: string | null;
  readonly submittedBy: string | null;
}

/** Run changes made by people through the API, each committed with its audit entry. */
export interface AuditedRunStore {
  /**
   * As `RunStore.submit`, also storing the request hash and submitter; the audit entry is
   * written only when a run is created.
   * @throws CsAgentsError (TOO_MANY_ACTIVE_RUNS) when the tenant is at `maxActiveRuns`.
   */
  submitAudited(task: Task, options: AuditedSubmitOptions, audit: AuditDraft): Promise<Submission>;
  /**
   * Cancels an unfinished run: it becomes `cancelled` and loses its lease, so a worker still
   * executing it is fenced out (its next journal write, heartbeat or transition is refused
   * with LEASE_LOST and it stops). Returns the run, or undefined when there is none.
   * A finished run is returned unchanged and nothing is audited.
   */
  cancel(runId: string, audit: AuditDraft): Promise<{ readonly run: Run; readonly cancelled: boolean } | undefined>;
  /** As `RunStore.decide`, with the audit entry in the same transaction. */
  decideAudited(runId: string, stepKey: string, decision: AmbiguousDecision, audit: AuditDraft): Promise<void>;
  /**
   * Records `answer` as the result of the open question `stepKey` (an `input` step) and queues
   * the run again, with the audit entry, in one transaction. The caller checked the answer
   * against the question's schema.
   * @throws CsAgentsError (NOT_FOUND) when there is no such run; (INPUT_NOT_WAITING) when the
   *   step is no open question or the run is not `waiting_input`: nothing is written.
   */
  answerAudited(runId: string, stepKey: string, answer: unknown, audit: AuditDraft): Promise<void>;
  /** What `submitAudited` stored with the run. */
  submission(runId: string): Promise<{ readonly requestHash: string | null; readonly submittedBy: string | null } | undefined>;
}

/** One event of a run's stream, with its per-run increasing id. */
export interface RunEvent {
  readonly id: number;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A proposed event; `key` identifies it, so proposing it again (from any replica) adds nothing. */
export interface RunEventCandidate {
  readonly key: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The per-run event log SSE streams from: ids are given once, in order, whoever observes first. */
export interface RunEventStore {
  /** Appends the candidates whose key is new, in the given order, with the next ids. */
  syncRunEvents(runId: string, candidates: readonly RunEventCandidate[]): Promise<void>;
  /** Events with id greater than `afterId`, in id order. */
  listRunEvents(runId: string, afterId: number, limit?: number): Promise<readonly RunEvent[]>;
}

/** Readiness: the database answers, and which migrations it still lacks. */
export interface SchemaStore {
  pendingMigrations(): Promise<readonly number[]>;
}

/**
 * Reads for a view that shows part of a run (the API's run page), on a store whose large values
 * live in an artifact store: the run and its journal with those values still references, and
 * the means to read just the parts shown. Reading a finished report run whole read every chart,
 * table and workbook it made, only for the page to show their sizes.
 */
export interface StoredReferences {
  /** The run as stored: its result, or parts of it, may be references. */
  get(runId: string): Promise<Run | undefined>;
  /** The journal as stored: step inputs and outputs, or parts of them, may be references. */
  load(runId: string): Promise<readonly Step[]>;
  /** A reference read one level (what it holds may be references still); any other value as it is. */
  open(value: unknown): Promise<unknown>;
  /** The value with every reference in it read. */
  whole<T>(value: T): Promise<T>;
  /** The bytes a reference to text or bytes stands for; undefined for any other value. */
  sizeOf(value: unknown): number | undefined;
}

/** `references` is there when the store keeps large values in an artifact store. */
export interface ReferenceReads {
  readonly references?: StoredReferences;
}

/** Everything `cs-agents serve` needs from one database. */
export type ServiceStore = Store & AuditStore & AuditedRunStore & AuditedStepStore & RunEventStore & SchemaStore & InlineValueStore & WebhookOutbox & ScheduleStore & ForkStore & ReferenceReads;

export const AUDIT_LIST_LIMIT_MAX = 1_000;

export function auditListLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return 100;
  return Math.min(AUDIT_LIST_LIMIT_MAX, Math.max(1, Math.floor(limit)));
}
