import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import type { CryptoKey } from "jose";
import { ApiServer, type ApiDeps, type ApiOptions, type Catalog } from "../../src/api/index.js";
import { createTokenVerifier } from "../../src/auth/index.js";
import { catalogOf } from "../../src/cli/commands/serve.js";
import { canonicalHash, type Artifact } from "../../src/core/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { SqliteStore } from "../../src/store/index.js";
import type { ServiceStore } from "../../src/store/index.js";

export const ISSUER = "https://issuer.test/";
export const AUDIENCE = "cs-agents";
export const ALL_SCOPES = "tasks:read tasks:write approvals:write admin";

export const signingKeys = await generateKeyPair("RS256", { extractable: true });
export const publicKeyPem = await exportSPKI(signingKeys.publicKey);

let catalog: Catalog | undefined;
export function testCatalog(): Catalog {
  return (catalog ??= catalogOf(createRuntime()));
}

export interface TokenOptions {
  readonly sub?: string | null;
  readonly tenant?: string | null;
  readonly scope?: string | undefined;
  readonly iss?: string | null;
  readonly aud?: string | null;
  /** Seconds from now; null leaves exp out. */
  readonly expIn?: number | null;
  readonly iatIn?: number | null;
  readonly nbfIn?: number;
  readonly kid?: string;
  readonly key?: CryptoKey;
  readonly header?: Record<string, unknown>;
}

/** A signed RS256 access token; every claim can be changed or left out. */
export async function token(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { scope: options.scope ?? ALL_SCOPES };
  if (options.sub !== null) claims.sub = options.sub ?? "alice";
  if (options.tenant !== null) claims.tenant = options.tenant ?? "acme";
  if (options.iss !== null) claims.iss = options.iss ?? ISSUER;
  if (options.aud !== null) claims.aud = options.aud ?? AUDIENCE;
  if (options.expIn !== null) claims.exp = now + (options.expIn ?? 300);
  if (options.iatIn !== null) claims.iat = now + (options.iatIn ?? 0);
  if (options.nbfIn !== undefined) claims.nbf = now + options.nbfIn;
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", ...(options.kid ? { kid: options.kid } : {}), ...options.header }).sign(options.key ?? signingKeys.privateKey);
}

export function bearer(jwt: string): Record<string, string> {
  return { authorization: `Bearer ${jwt}` };
}

export interface TestApi {
  readonly api: ApiServer;
  readonly store: ServiceStore;
  close(): Promise<void>;
}

/** An API over a fresh in-memory SQLite store, verifying tokens with the test key. */
export async function makeApi(options: Partial<ApiOptions> = {}, store: ServiceStore = SqliteStore.open(":memory:"), deps: Partial<ApiDeps> = {}): Promise<TestApi> {
  const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKeyPem });
  const api = await ApiServer.create({ auth: { mode: "jwt", verifier }, ...options }, { store, catalog: testCatalog(), ...deps });
  return {
    api,
    store,
    async close() {
      await api.close();
      await store.close();
    },
  };
}

/**
 * A run of `tenant` waiting in `waiting_approval` on a sensitive call of `tool`, as the
 * engine's approval gate leaves it. Returns its id and the step's argsHash.
 */
export async function seedApproval(
  store: ServiceStore,
  options: { runId: string; tenant: string; submittedBy?: string; tool?: string; input?: Record<string, unknown>; startedAt?: Date; kind?: "approval" | "tool_call" },
): Promise<{ runId: string; stepKey: string; argsHash: string }> {
  const tool = options.tool ?? "payments.send";
  const input = options.input ?? { amount: 100, to: "ACME Ltd" };
  const argsHash = canonicalHash({ tool, input });
  await store.submitAudited({ description: "pay the supplier", tenant: options.tenant }, { runId: options.runId, requestHash: "h", submittedBy: options.submittedBy ?? "alice" }, { action: "task.submitted", actor: options.submittedBy ?? "alice", tenant: options.tenant });
  const [lease] = await store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId: options.runId });
  if (!lease) throw new Error(`could not claim ${options.runId}`);
  const kind = options.kind ?? "approval";
  const stepKey = kind === "approval" ? "subtask/pay/approval/0" : "subtask/pay/call/0";
  const stepInput = kind === "approval" ? { tool, input, argsHash } : { tool, input };
  await store.record(lease, { runId: options.runId, key: stepKey, kind, status: "ambiguous", input: stepInput, startedAt: options.startedAt ?? new Date() });
  await store.transition(lease, { status: "waiting_approval" });
  return { runId: options.runId, stepKey, argsHash };
}

/** The question `seedWaitingInput` leaves open, and its answer's JSON Schema (a seat like 12C). */
export const SEAT_QUESTION = { step: "subtask/seat/input/0", question: "Which seat?", schema: { type: "object", properties: { seat: { type: "string", pattern: "^\\d{1,2}[A-F]$" } }, required: ["seat"], additionalProperties: false } } as const;

/** A run of `tenant` waiting in `waiting_input` for an answer to "Which seat?", as a tool's `ctx.ask` leaves it. */
export async function seedWaitingInput(store: ServiceStore, options: { runId: string; tenant: string }): Promise<string> {
  const { runId, tenant } = options;
  await store.submitAudited({ description: "book a seat", tenant }, { runId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant });
  const [lease] = await store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId });
  if (!lease) throw new Error(`could not claim ${runId}`);
  const { step, question, schema } = SEAT_QUESTION;
  await store.record(lease, { runId, key: step, kind: "input", status: "started", input: { tool: "book", question, schema }, startedAt: new Date() });
  await store.sleep(lease, null, "waiting_input");
  return runId;
}

const REPORT_MD: Artifact = { name: "report.md", mediaType: "text/markdown", content: "# Report\n" };

/** A run of `tenant` that succeeded with `artifacts` (by default one, `report.md`). */
export async function seedSucceeded(store: ServiceStore, runId: string, tenant: string, artifacts: readonly Artifact[] = [REPORT_MD]): Promise<void> {
  await store.submitAudited({ description: "report", tenant }, { runId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant });
  const [lease] = await store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId });
  if (!lease) throw new Error(`could not claim ${runId}`);
  const plan = { source: "test", language: "en" as const, params: {}, subtasks: [{ id: "write", title: "Write", agent: "writer", instructions: "", dependsOn: [], tool: "t", input: {} }] };
  await store.record(lease, { runId, key: "plan", kind: "plan", status: "succeeded", output: plan, startedAt: new Date(), finishedAt: new Date() });
  await store.record(lease, { runId, key: "subtask/write/done", kind: "subtask", status: "succeeded", output: { output: "done", artifacts }, startedAt: new Date(), finishedAt: new Date() });
  await store.transition(lease, { status: "succeeded", plan, result: { subtasks: {}, artifacts, output: "done" } });
}

/**
 * A run of acme that failed after a plan, a model decision (1,500 tokens of model "m-1"), a
 * call of ledger.query answered by the cache, and a call that failed after 3 attempts.
 */
export async function seedSteps(store: ServiceStore, runId: string): Promise<void> {
  await store.submitAudited({ description: "report", tenant: "acme" }, { runId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant: "acme" });
  const [lease] = await store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId });
  if (!lease) throw new Error(`could not claim ${runId}`);
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));
  const plan = { source: "test", language: "en" as const, params: {}, subtasks: [{ id: "fetch", title: "Fetch", agent: "data", instructions: "", dependsOn: [], tool: "ledger.query", input: {} }] };
  await store.record(lease, { runId, key: "plan", kind: "plan", status: "succeeded", output: plan, startedAt: at(0), finishedAt: at(5) });
  const decision = { type: "call", tool: "ledger.query", input: { quarter: "2025Q2" }, usage: { inputTokens: 1_000, outputTokens: 500, totalTokens: 1_500 } };
  await store.record(lease, { runId, key: "subtask/fetch/model/0", kind: "model_call", status: "succeeded", input: { model: "m-1", agent: "data", turn: 0 }, output: decision, startedAt: at(10), finishedAt: at(40) });
  await store.record(lease, { runId, key: "subtask/fetch/call/0", kind: "tool_call", status: "succeeded", input: { tool: "ledger.query", input: { quarter: "2025Q2" } }, output: { rows: 3 }, attempts: 0, startedAt: at(40), finishedAt: at(41) });
  await store.record(lease, {
    runId,
    key: "subtask/fetch/call/1",
    kind: "tool_call",
    status: "failed",
    input: { tool: "ledger.query", input: { quarter: "1999Q1" } },
    error: { code: "TOOL_TIMEOUT", message: "ledger.query timed out after 3 attempts" },
    attempts: 3,
    startedAt: at(50),
    finishedAt: at(350),
  });
  await store.transition(lease, { status: "failed", plan, error: { code: "TOOL_TIMEOUT", message: "ledger.query timed out after 3 attempts" } });
}

/** Run ids as the API makes them, deterministic for tests. */
export function testRunId(n: number): string {
  return `${(1_700_000_000_000 + n).toString(36).padStart(9, "0")}-${String(n).padStart(8, "0")}`;
}

/** One Server-Sent Event with an id, as a stream test reads it. */
export interface SseEvent {
  readonly id: number;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/**
 * Takes the complete events (blocks ended by a blank line) off the front of `buffer`: the events
 * that carry an id (comments and keep-alives have none), and what is left to read on.
 */
export function takeSseEvents(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  let rest = buffer;
  let end: number;
  while ((end = rest.indexOf("\n\n")) >= 0) {
    const block = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const fields = Object.fromEntries(block.split("\n").filter((l) => !l.startsWith(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]));
    if (fields.id === undefined) continue;
    events.push({ id: Number(fields.id), event: fields.event ?? "", data: JSON.parse(fields.data ?? "{}") as Record<string, unknown> });
  }
  return { events, rest };
}
