import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type GeneratorFn,
  type RetryPolicy,
} from "cockatiel";
import type { z } from "zod";
import { createBatcher, type Batcher } from "../batch/index.js";
import type { ToolCache, ToolCacheStats } from "../cache/index.js";
import { CancelledError, CsAgentsError, describeError } from "../core/index.js";
import { ToolError, type AskRequest, type CallContext, type ChildRunRequest, type ChildRunResult, type FencingToken, type Tool, type ToolCallRequest, type ToolCallResult, type ToolContext } from "./define-tool.js";
import { safeParse } from "./safe-parse.js";
import { toolCacheKey } from "./tool-cache-key.js";
import type { ToolRegistry } from "./tool-registry.js";

export interface ToolExecutorOptions {
  readonly registry: ToolRegistry;
  /**
   * Per tool: open after this many consecutive failed calls (default 5); half-open after
   * halfOpenAfterMs (default 30_000).
   */
  readonly breaker?: { readonly consecutiveFailures?: number; readonly halfOpenAfterMs?: number };
  /** Source of jitter in [0,1); injectable for tests. Default Math.random. */
  readonly random?: () => number;
  /** Where tools with a `cache` option keep results. Without it nothing is cached. */
  readonly cache?: ToolCache;
  /** Told the size of every batch sent to a tool's batch handler (for metrics). */
  readonly onBatch?: (tool: string, size: number) => void;
}

export type BreakerState = "closed" | "open" | "half-open";

interface ToolPolicies {
  readonly breaker: CircuitBreakerPolicy;
  /** Undefined for a single-attempt tool: it skips the retry policy's machinery altogether. */
  readonly retrying: RetryPolicy | undefined;
  /** When the breaker last opened (Date.now()), to tell callers when it will try again. */
  openedAt: number;
}

type Failure = { readonly code: string; readonly message: string };
type Outcome =
  | { readonly status: "success"; readonly output: unknown }
  | { readonly status: "failed"; readonly error: Failure };

/** Failures that say nothing about the tool's health, so they never trip its breaker. */
const NOT_HEALTH_FAILURES: ReadonlySet<string> = new Set(["CANCELLED", "TOOL_OUTPUT_INVALID", "WAITING_INPUT"]);

/**
 * Calls tools with input/output validation, a timeout per attempt, retries with backoff and a
 * circuit breaker per tool. `run` never rejects for a tool's failure; the result carries the
 * code: TOOL_NOT_FOUND, TOOL_INPUT_INVALID, TOOL_OUTPUT_INVALID, TOOL_TIMEOUT, TOOL_CIRCUIT_OPEN,
 * CANCELLED, TOOL_FAILED, or the code of a ToolError the handler threw.
 * @throws CsAgentsError (INVALID_OPTIONS) from the constructor when the breaker options are out of range.
 */
export class ToolExecutor {
  readonly #registry: ToolRegistry;
  readonly #consecutiveFailures: number;
  readonly #halfOpenAfterMs: number;
  readonly #random: () => number;
  readonly #policies = new Map<string, ToolPolicies>();
  readonly #cache: ToolCache | undefined;
  readonly #batchers = new Map<string, Batcher<unknown, unknown>>();
  readonly #onBatch: ((tool: string, size: number) => void) | undefined;

  constructor(options: ToolExecutorOptions) {
    this.#registry = options.registry;
    this.#consecutiveFailures = options.breaker?.consecutiveFailures ?? 5;
    this.#halfOpenAfterMs = options.breaker?.halfOpenAfterMs ?? 30_000;
    this.#random = options.random ?? Math.random;
    this.#cache = options.cache;
    this.#onBatch = options.onBatch;
    if (!Number.isInteger(this.#consecutiveFailures) || this.#consecutiveFailures < 1) {
      throw new CsAgentsError("INVALID_OPTIONS", "breaker.consecutiveFailures must be a whole number >= 1");
    }
    if (!Number.isFinite(this.#halfOpenAfterMs) || this.#halfOpenAfterMs < 0) {
      throw new CsAgentsError("INVALID_OPTIONS", "breaker.halfOpenAfterMs must be a number of milliseconds >= 0");
    }
  }

  async run(request: ToolCallRequest, context: CallContext = {}): Promise<ToolCallResult> {
    const startedAt = performance.now();
    let attempts = 0;
    const outcome = await this.#call(request, context, () => ++attempts);
    return { ...outcome, attempts, durationMs: performance.now() - startedAt };
  }

  /** The tool cache's counters, or undefined when the executor has no cache. */
  cacheStats(): ToolCacheStats | undefined {
    return this.#cache?.stats();
  }

  breakerState(toolName: string): BreakerState {
    const state = this.#policies.get(toolName)?.breaker.state ?? CircuitState.Closed;
    if (state === CircuitState.Closed) return "closed";
    return state === CircuitState.HalfOpen ? "half-open" : "open";
  }

  async #call(request: ToolCallRequest, context: CallContext, countAttempt: () => number): Promise<Outcome> {
    if (!this.#registry.has(request.tool)) {
      const known = this.#registry.list().map((tool) => tool.name).join(", ") || "none";
      return failed({ code: "TOOL_NOT_FOUND", message: `unknown tool "${request.tool}" (known: ${known})` });
    }
    const tool = this.#registry.get(request.tool);
    const input = await safeParse(tool.input, request.input);
    if (!input.success) {
      const message = `input for tool "${tool.name}" is invalid: ${describeIssues(input.error)}`;
      return failed({ code: "TOOL_INPUT_INVALID", message });
    }
    if (context.signal?.aborted) return failed(cancelled(tool));
    const key = this.#cache ? toolCacheKey(tool, input.data, context) : undefined;
    if (!key || !this.#cache || !tool.cache) return this.#invoke(tool, input.data, context, countAttempt);
    try {
      const compute = async () => {
        const outcome = await this.#invoke(tool, input.data, context, countAttempt);
        if (outcome.status === "failed") throw new ToolError(outcome.error.code, outcome.error.message, { retryable: isRetryableCode(outcome.error.code) });
        return outcome.output;
      };
      const { value } = await this.#cache.getOrCompute(key, tool.cache.ttlMs, compute, { cacheFailures: tool.cache.cacheFailures ?? false });
      return { status: "success", output: value };
    } catch (error) {
      return failed(describeError(error));
    }
  }

  /** Closes the batchers and the cache. */
  async close(): Promise<void> {
    await Promise.all([...this.#batchers.values()].map((b) => b.close()));
    await this.#cache?.close();
  }

  async #invalidate(tool: string, input: unknown, context: CallContext): Promise<void> {
    if (!this.#cache || !this.#registry.has(tool)) return;
    if (input === undefined) return this.#cache.invalidateTool(tool);
    const parsed = await safeParse(this.#registry.get(tool).input, input);
    const key = parsed.success ? toolCacheKey(this.#registry.get(tool), parsed.data, context) : undefined;
    if (key) await this.#cache.invalidate(key);
  }

  #batcherFor(tool: Tool): Batcher<unknown, unknown> | undefined {
    if (!tool.batch) return undefined;
    let batcher = this.#batchers.get(tool.name);
    if (!batcher) {
      const { maxSize, maxWaitMs, handler } = tool.batch;
      const onBatch = this.#onBatch;
      const counted: typeof handler = onBatch ? (inputs, signal) => (onBatch(tool.name, inputs.length), handler(inputs, signal)) : handler;
      batcher = createBatcher<unknown, unknown>({ maxSize, maxWaitMs, timeoutMs: tool.timeoutMs, handler: counted });
      this.#batchers.set(tool.name, batcher);
    }
    return batcher;
  }

  async #invoke(tool: Tool, input: unknown, context: CallContext, countAttempt: () => number): Promise<Outcome> {
    const { signal } = context;
    const policies = this.#policiesFor(tool);
    const invoker: Invoker = {
      batcher: this.#batcherFor(tool),
      invalidate: (name, value) => this.#invalidate(name ?? tool.name, value, context),
    };
    try {
      // The breaker wraps the whole retried call, so it counts failed calls, not failed attempts.
      const attempt = () => attemptOnce(tool, input, context, countAttempt, invoker);
      const call = policies.breaker.execute(() => (policies.retrying ? policies.retrying.execute(attempt, signal) : attempt()));
      // Cockatiel's backoff sleep ignores the signal; racing it here makes cancellation immediate.
      return { status: "success", output: await raceAbort(call, signal) };
    } catch (error) {
      if (error instanceof BrokenCircuitError) return failed(this.#circuitOpen(tool.name, policies));
      if (signal?.aborted) return failed(cancelled(tool));
      return failed(describeError(error));
    }
  }

  #policiesFor(tool: Tool): ToolPolicies {
    const existing = this.#policies.get(tool.name);
    if (existing) return existing;
    const breaker = circuitBreaker(handleWhen(isHealthFailure), {
      halfOpenAfter: this.#halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(this.#consecutiveFailures),
    });
    const retrying = retry(handleWhen(isRetryable), {
      maxAttempts: tool.retry.maxAttempts - 1, // cockatiel counts retries, the tool counts attempts
      backoff: new ExponentialBackoff({
        initialDelay: tool.retry.initialDelayMs,
        maxDelay: tool.retry.maxDelayMs,
        generator: equalJitter(this.#random),
      }),
    });
    const policies: ToolPolicies = { breaker, retrying: tool.retry.maxAttempts > 1 ? retrying : undefined, openedAt: 0 };
    breaker.onBreak(() => {
      policies.openedAt = Date.now();
    });
    this.#policies.set(tool.name, policies);
    return policies;
  }

  #circuitOpen(toolName: string, policies: ToolPolicies): Failure {
    const retryAt = policies.openedAt + this.#halfOpenAfterMs;
    const inMs = Math.max(0, retryAt - Date.now());
    const when = `in ${inMs} ms (at ${new Date(retryAt).toISOString()})`;
    return {
      code: "TOOL_CIRCUIT_OPEN",
      message: `tool "${toolName}" failed too often; its circuit is open and lets a trial call through ${when}`,
    };
  }
}

/** How an attempt reaches the tool: through its batcher when it has one. */
interface Invoker {
  readonly batcher: Batcher<unknown, unknown> | undefined;
  readonly invalidate: (tool: string | undefined, input: unknown) => Promise<void>;
}

/** One handler invocation: every error leaving it is a CsAgentsError whose `retryable` decides a retry. */
async function attemptOnce(tool: Tool, input: unknown, call: CallContext, countAttempt: () => number, invoker: Invoker): Promise<unknown> {
  const { runId, stepKey, tenant } = call;
  const idempotencyKey = runId !== undefined && stepKey !== undefined ? `${runId}/${stepKey}` : undefined;
  const fencing = idempotencyKey !== undefined && call.epoch !== undefined ? { epoch: call.epoch, key: idempotencyKey } : undefined;
  const deadline = new AttemptDeadline(tool.timeoutMs, call.signal);
  let raw: unknown;
  try {
    // The caller may abort during the backoff sleep, and cockatiel starts the next attempt anyway.
    if (call.signal?.aborted) throw new CancelledError();
    const attempt = countAttempt();
    const work = invoker.batcher ? invoker.batcher.call(input, deadline.signal) : tool.handler(input, new HandlerContext(deadline, invoker, attempt, idempotencyKey, fencing, runId, tenant, call.sleepUntil, call.ask, call.runChild));
    raw = await deadline.race(work);
  } catch (error) {
    throw attemptFailure(error, tool, deadline.expired, call.signal);
  } finally {
    deadline.dispose();
  }
  const output = await safeParse(tool.output, raw);
  if (!output.success) {
    const message = `output of tool "${tool.name}" is invalid: ${describeIssues(output.error)}`;
    throw new ToolError("TOOL_OUTPUT_INVALID", message);
  }
  return output.data;
}

function attemptFailure(error: unknown, tool: Tool, timedOut: boolean, callerSignal: AbortSignal | undefined): CsAgentsError {
  if (callerSignal?.aborted) return new CancelledError(cancelled(tool).message);
  if (timedOut) {
    const message = `tool "${tool.name}" did not finish within ${tool.timeoutMs} ms`;
    return new ToolError("TOOL_TIMEOUT", message, { retryable: true, cause: error });
  }
  if (error instanceof CsAgentsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ToolError("TOOL_FAILED", message, { cause: error, retryable: tool.idempotent });
}

/** Whether a failure a cached computation rethrows may be retried by a later call (never cached). */
function isRetryableCode(code: string): boolean {
  return code === "TOOL_TIMEOUT" || code === "TOOL_CIRCUIT_OPEN" || code === "CANCELLED";
}

function isRetryable(error: Error): boolean {
  return error instanceof CsAgentsError && error.retryable;
}

function isHealthFailure(error: Error): boolean {
  return !(error instanceof CsAgentsError && NOT_HEALTH_FAILURES.has(error.code));
}

/**
 * "Equal jitter": retry n (0-based) waits floor(c/2 + random() * c/2) ms, c = min(maxDelayMs,
 * initialDelayMs * 2^n). Never above the cap, and each wait is at least the one before.
 * Cockatiel's own generators call Math.random directly, hence this one.
 */
function equalJitter(random: () => number): GeneratorFn<number> {
  return (retryIndex = 0, { initialDelay, maxDelay, exponent }) => {
    const ceiling = Math.min(maxDelay, initialDelay * exponent ** retryIndex);
    return [Math.floor(ceiling / 2 + random() * (ceiling / 2)), retryIndex + 1];
  };
}

/**
 * What a handler gets: one object per attempt, its signal and `invalidate` made only when read
 * (most handlers read neither). `invalidate` is an own function once read, so it may be
 * destructured.
 */
class HandlerContext implements ToolContext {
  readonly #deadline: AttemptDeadline;
  readonly #invoker: Invoker;
  #invalidate: ToolContext["invalidate"] | undefined;

  constructor(
    deadline: AttemptDeadline,
    invoker: Invoker,
    readonly attempt: number,
    readonly idempotencyKey: string | undefined,
    readonly fencing: FencingToken | undefined,
    readonly runId: string | undefined,
    readonly tenant: string | undefined,
    sleepUntil: ((wakeAt: number) => void) | undefined,
    ask: ((request: AskRequest, attempt: number) => Promise<unknown>) | undefined,
    runChild: ((request: ChildRunRequest, attempt: number) => Promise<ChildRunResult>) | undefined,
  ) {
    this.#deadline = deadline;
    this.#invoker = invoker;
    this.#sleepUntil = sleepUntil;
    this.#ask = ask;
    this.#runChild = runChild;
  }

  readonly #runChild: ((request: ChildRunRequest, attempt: number) => Promise<ChildRunResult>) | undefined;

  readonly runChild = (request: ChildRunRequest): Promise<ChildRunResult> => {
    if (!this.#runChild) return Promise.reject(new ToolError("CHILD_RUNS_UNAVAILABLE", "runChild works only inside a run a worker executes; this call has no store to submit a child run to"));
    return this.#runChild(request, this.attempt);
  };

  readonly #sleepUntil: ((wakeAt: number) => void) | undefined;
  readonly #ask: ((request: AskRequest, attempt: number) => Promise<unknown>) | undefined;

  readonly ask = <T>(request: AskRequest<T>): Promise<T> => {
    if (!this.#ask) return Promise.reject(new ToolError("INPUT_UNAVAILABLE", "ask works only inside a run executed by the engine; this call has no run to wait"));
    return this.#ask(request as AskRequest, this.attempt) as Promise<T>;
  };

  // Arrow properties, so a handler may destructure them.
  readonly sleep = (ms: number): void => {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
      throw new ToolError("SLEEP_INVALID", `sleep needs a finite number of milliseconds, 0 or more; got ${String(ms)}`);
    }
    this.#wakeAt(Date.now() + ms);
  };

  readonly sleepUntil = (date: Date): void => {
    if (!(date instanceof Date) || !Number.isFinite(date.getTime())) {
      throw new ToolError("SLEEP_INVALID", `sleepUntil needs a valid Date; got ${String(date)}`);
    }
    this.#wakeAt(date.getTime());
  };

  #wakeAt(at: number): void {
    if (!this.#sleepUntil) throw new ToolError("SLEEP_UNAVAILABLE", "sleep works only inside a run executed by the engine; this call has no run to put to sleep");
    this.#sleepUntil(at);
  }

  get signal(): AbortSignal {
    return this.#deadline.signal;
  }

  get invalidate(): ToolContext["invalidate"] {
    const invoker = this.#invoker;
    return (this.#invalidate ??= (tool, input) => invoker.invalidate(tool, input));
  }
}

/**
 * One attempt's time limit. The handler's AbortSignal (aborted by the deadline or the caller) is
 * made only when the handler reads it: most handlers never do, and an AbortController with a
 * listener on the caller's signal per attempt was ~9 % of a no-op run's CPU.
 */
class AttemptDeadline {
  expired = false;
  readonly #timer: NodeJS.Timeout;
  readonly #caller: AbortSignal | undefined;
  readonly #elapsed: Promise<never>;
  #controller: AbortController | undefined;
  #unlink: (() => void) | undefined;

  constructor(ms: number, caller: AbortSignal | undefined) {
    this.#caller = caller;
    let reject: (reason: unknown) => void = () => undefined;
    this.#elapsed = new Promise<never>((_, fail) => (reject = fail));
    // Raced below; a rejection nobody awaits any more must not surface as unhandled.
    this.#elapsed.catch(() => undefined);
    this.#timer = setTimeout(() => {
      this.expired = true;
      const reason = new Error(`the attempt did not finish within ${ms} ms`);
      this.#controller?.abort(reason);
      reject(reason);
    }, ms);
  }

  /** Aborts when the time is up or the caller aborts. */
  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    const caller = this.#caller;
    if (this.expired) controller.abort(new Error("the attempt's time is up"));
    else if (caller?.aborted) controller.abort(caller.reason);
    else if (caller) {
      const onAbort = () => controller.abort(caller.reason);
      caller.addEventListener("abort", onAbort, { once: true });
      this.#unlink = () => caller.removeEventListener("abort", onAbort);
    }
    return controller.signal;
  }

  /** Settles like `work`, or rejects when the time is up or the caller aborts. */
  race<T>(work: Promise<T>): Promise<T> {
    return raceAbort(Promise.race([work, this.#elapsed]), this.#caller);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#unlink?.();
  }
}

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
async function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  let stopListening = () => {};
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    stopListening = () => signal.removeEventListener("abort", onAbort);
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    stopListening();
  }
}

function describeIssues(error: z.ZodError): string {
  const describe = (issue: z.core.$ZodIssue) =>
    `${issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)"}: ${issue.message}`;
  return error.issues.map(describe).join("; ");
}

function cancelled(tool: Tool): Failure {
  return { code: "CANCELLED", message: `call to tool "${tool.name}" was cancelled` };
}

function failed(error: Failure): Outcome {
  return { status: "failed", error };
}
