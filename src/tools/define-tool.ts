import type { z } from "zod";
import type { Artifact } from "../core/index.js";
import { CsAgentsError } from "../core/index.js";

/**
 * Who may make a call with effects: the run's lease epoch with the call's idempotency key. A
 * downstream that remembers the highest epoch it saw per key and refuses a lower one turns away
 * a worker that lost its lease (paused, partitioned) and wakes up to call again.
 */
export interface FencingToken {
  /** Grows with every claim of the run and with every `--retry` decision on it. */
  readonly epoch: number;
  /** The call's idempotency key, `<run id>/<step key>`. */
  readonly key: string;
}

/** What a handler gets besides its input. */
export interface ToolContext {
  /** Aborted on timeout or cancellation; handlers pass it to whatever they wait on. */
  readonly signal: AbortSignal;
  /**
   * `<run id>/<step key>`: the same on every attempt and every replay of one call, so a tool
   * with side effects can deduplicate on its side. Undefined outside a run.
   */
  readonly idempotencyKey: string | undefined;
  /** Undefined outside a worker's lease (a run with an in-memory journal, a direct call). */
  readonly fencing?: FencingToken | undefined;
  readonly runId: string | undefined;
  readonly tenant: string | undefined;
  /** 1 on the first attempt. */
  readonly attempt: number;
  /**
   * Drops cached results of `tool` (this tool when omitted): for one input in this call's
   * scope, or all of them. A tool that writes invalidates what it changed.
   */
  readonly invalidate: (tool?: string, input?: unknown) => Promise<void>;
  /**
   * Puts the run to sleep for `ms` once this call returns: the call's result is journaled first,
   * then the run gives up its lease and worker slot and wakes on any worker when due, where the
   * agent goes on with this result. The handler is not called again. Calls within one handler
   * keep the latest due time. Throws ToolError (SLEEP_INVALID) for a negative or non-finite
   * `ms`, (SLEEP_UNAVAILABLE) outside a run.
   */
  readonly sleep: (ms: number) => void;
  /** As `sleep`, until a point in time (a time already past wakes at once). */
  readonly sleepUntil: (date: Date) => void;
  /**
   * Asks a person a question and resolves with the answer, checked against `schema`. Without an
   * answer yet the run waits in `waiting_input` (no lease, no worker slot): this call rejects
   * (never catch it) and, once the answer comes, the handler is called again from its start,
   * on any worker, and the same `ask` resolves at once with it. So put effects after the last
   * `ask`: code before it runs again. A call's recorded result is never made again. Throws
   * ToolError (INPUT_INVALID) for a bad request, (INPUT_UNAVAILABLE) outside a run.
   */
  readonly ask: <T>(request: AskRequest<T>) => Promise<T>;
  /**
   * Starts a child run of `{ description, input? }` (the parent's tenant and priority) and
   * resolves with its result once it succeeded. Until it has finished the run waits in
   * `waiting_children` (no lease, no worker slot): this call rejects (never catch it) and, once
   * the child finished, the handler is called again from its start, and the same `runChild`
   * resolves at once (the child is submitted once). Put effects after the last `runChild`, as
   * after `ask`. Throws ToolError (CHILD_RUN_FAILED) when the child failed or was cancelled,
   * (CHILD_RUN_INVALID) for a bad request, (CHILD_RUNS_UNAVAILABLE) outside a worker's run.
   */
  readonly runChild: (request: ChildRunRequest) => Promise<ChildRunResult>;
}

/** The task of a child run a tool starts (`ctx.runChild`). */
export interface ChildRunRequest {
  readonly description: string;
  readonly input?: Record<string, unknown>;
}

/** A finished child run as `ctx.runChild` gives it: its id, its output and its artifacts. */
export interface ChildRunResult {
  readonly runId: string;
  readonly output: unknown;
  readonly artifacts: readonly Artifact[];
}

/** A question for a person (`ctx.ask`). */
export interface AskRequest<T = unknown> {
  /** What the person reads, 1 to 2,000 characters. */
  readonly question: string;
  /** The answer's shape: a zod schema, stored as JSON Schema with the question. */
  readonly schema: z.ZodType<T>;
  /** With `defaultAnswer`: after this long without an answer, the default is the answer. */
  readonly timeoutMs?: number;
  readonly defaultAnswer?: T;
}

/** Caching of a tool's results (opt-in): pure or read-only tools whose output is JSON. */
export interface ToolCacheOptions {
  readonly ttlMs: number;
  /** Who shares an entry: one run, one tenant, or everybody (only for tenant-free data). */
  readonly scope: "run" | "tenant" | "global";
  /** What of the input the key is made of. Default: the whole validated input. */
  readonly key?: (input: unknown) => unknown;
  /** Cache non-retryable failures too. Default false. */
  readonly cacheFailures?: boolean;
}

/** Batching of a tool's calls (opt-in): calls made within `maxWaitMs` go to `handler` as one. */
export interface ToolBatchOptions<I = unknown, O = unknown> {
  readonly maxSize: number;
  readonly maxWaitMs: number;
  /** One result per input, in order; an Error at an index fails only that caller. */
  readonly handler: (inputs: readonly I[], signal: AbortSignal) => Promise<readonly (O | Error)[]>;
}

export interface RetryOptions {
  /** Attempts in all, the first included. 1 means no retry. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** What a tool author writes. Everything but name, description, schemas and handler has a default. */
export interface ToolSpec<I extends z.ZodType, O extends z.ZodType> {
  readonly name: string;
  readonly description: string;
  /** Bumped when the output for the same input changes; part of cache keys. Default "1". */
  readonly version?: string;
  readonly input: I;
  readonly output: O;
  /** Required unless `batch` is given (then a single call is a batch of one). */
  readonly handler?: (input: z.output<I>, context: ToolContext) => Promise<z.input<O>>;
  readonly cache?: ToolCacheOptions;
  readonly batch?: ToolBatchOptions<z.output<I>, z.input<O>>;
  /** Per attempt. Default 10,000. */
  readonly timeoutMs?: number;
  /** `false` for a single attempt. Default 3 attempts, 100 ms doubling up to 2 s, with jitter. */
  readonly retry?: Partial<RetryOptions> | false;
  /** Safe to call twice with the same idempotency key. Default false. */
  readonly idempotent?: boolean;
  /** Needs a human approval before each call (enforced by the engine). Default false. */
  readonly sensitive?: boolean;
}

/** A tool with every default filled in; what the registry and executor hold. */
export interface Tool {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  readonly handler: (input: unknown, context: ToolContext) => Promise<unknown>;
  readonly cache: ToolCacheOptions | undefined;
  readonly batch: ToolBatchOptions | undefined;
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
  readonly idempotent: boolean;
  readonly sensitive: boolean;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 2_000 };
export const DEFAULT_TIMEOUT_MS = 10_000;

const TOOL_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Defines a tool. Names are lowercase, may use `.`, `_` and `-` (`ledger.query`).
 * @throws CsAgentsError (INVALID_TOOL) when the definition itself is wrong.
 */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(spec: ToolSpec<I, O>): Tool {
  if (!TOOL_NAME.test(spec.name)) {
    throw new CsAgentsError("INVALID_TOOL", `tool name "${spec.name}" must match ${TOOL_NAME}`);
  }
  if (spec.description.trim() === "") throw new CsAgentsError("INVALID_TOOL", `tool "${spec.name}" needs a description`);
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new CsAgentsError("INVALID_TOOL", `tool "${spec.name}": timeoutMs must be a positive number of milliseconds`);
  }
  const retry = spec.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...spec.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new CsAgentsError("INVALID_TOOL", `tool "${spec.name}": retry.maxAttempts must be a whole number >= 1`);
  }
  const handler = spec.handler ?? batchOfOne(spec);
  if (spec.cache && !(Number.isFinite(spec.cache.ttlMs) && spec.cache.ttlMs > 0)) {
    throw new CsAgentsError("INVALID_TOOL", `tool "${spec.name}": cache.ttlMs must be a positive number of milliseconds`);
  }
  if (spec.batch && !(Number.isInteger(spec.batch.maxSize) && spec.batch.maxSize >= 1 && spec.batch.maxWaitMs >= 0)) {
    throw new CsAgentsError("INVALID_TOOL", `tool "${spec.name}": batch needs maxSize >= 1 and maxWaitMs >= 0`);
  }
  return {
    name: spec.name,
    description: spec.description,
    version: spec.version ?? "1",
    input: spec.input,
    output: spec.output,
    handler: handler as Tool["handler"],
    cache: spec.cache,
    batch: spec.batch as ToolBatchOptions | undefined,
    timeoutMs,
    retry,
    idempotent: spec.idempotent ?? false,
    sensitive: spec.sensitive ?? false,
  };
}

function batchOfOne<I extends z.ZodType, O extends z.ZodType>(spec: ToolSpec<I, O>) {
  const batch = spec.batch;
  if (!batch) throw new CsAgentsError("INVALID_TOOL", `tool "${spec.name}" needs a handler or a batch handler`);
  return async (input: z.output<I>, context: ToolContext) => {
    const [result] = await batch.handler([input], context.signal);
    if (result instanceof Error) throw result;
    return result as z.input<O>;
  };
}

/**
 * What a handler throws to say how it failed. `retryable: true` lets the executor try again
 * (with backoff); anything else thrown is retried only when the tool is idempotent.
 */
export class ToolError extends CsAgentsError {
  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, options);
  }
}

/** What `ToolExecutor.run` resolves to. It never rejects for a tool's failure. */
export type ToolCallResult =
  | { readonly status: "success"; readonly output: unknown; readonly attempts: number; readonly durationMs: number }
  | {
      readonly status: "failed";
      readonly error: { readonly code: string; readonly message: string };
      readonly attempts: number;
      readonly durationMs: number;
    };

/** A request to call one tool. A plan's Subtask has this shape too. */
export interface ToolCallRequest {
  readonly tool: string;
  readonly input: unknown;
}

/** Where a call happens; all optional outside a run. */
export interface CallContext {
  readonly signal?: AbortSignal;
  readonly runId?: string;
  readonly stepKey?: string;
  readonly tenant?: string;
  /** The run's lease epoch: with runId and stepKey, the handler's fencing token. */
  readonly epoch?: number;
  /** Set by the engine: the handler asked the run to sleep until this time (epoch ms). */
  readonly sleepUntil?: (wakeAt: number) => void;
  /** Set by the engine: the handler asked a person (`ctx.ask`); resolves with the answer. */
  readonly ask?: (request: AskRequest, attempt: number) => Promise<unknown>;
  /** Set by the engine: the handler started a child run (`ctx.runChild`); resolves with its result. */
  readonly runChild?: (request: ChildRunRequest, attempt: number) => Promise<ChildRunResult>;
}
