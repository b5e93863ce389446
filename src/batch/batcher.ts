import { CancelledError, CsAgentsError } from "../core/index.js";
import { BatchError } from "./batch-error.js";

/**
 * One input's outcome: its output, or an Error that fails only that input's caller. (Errors,
 * not `{ error }` objects: an output may well have an `error` field of its own.)
 */
export type BatchItemResult<O> = O | Error;

/** Gets the inputs in call order; returns one result per input, in the same order. */
export type BatchHandler<I, O> = (inputs: readonly I[], signal: AbortSignal) => Promise<readonly BatchItemResult<O>[]>;

export interface BatcherOptions<I, O> {
  /** Most calls in one batch; reaching it sends the batch at once. Whole number >= 1. */
  readonly maxSize: number;
  /** Longest the first call of a batch waits for company. 0 batches calls made in the same tick. */
  readonly maxWaitMs: number;
  /** Longest one handler call may take; its signal is then aborted. Default: no limit. */
  readonly timeoutMs?: number;
  readonly handler: BatchHandler<I, O>;
}

/** Coalesces calls of one kind into batches for one handler. */
export interface Batcher<I, O> {
  /**
   * Resolves with this input's output once its batch is handled.
   * @throws the Error the handler returned for this input; BatchError (BATCH_FAILED,
   *   BATCH_TIMEOUT, BATCH_RESULT_MISMATCH) when the whole batch failed; CancelledError
   *   (CANCELLED) when `signal` aborted first; CsAgentsError (BATCHER_CLOSED) after `close`.
   */
  call(input: I, signal?: AbortSignal): Promise<O>;
  /** Sends the waiting calls now instead of at `maxWaitMs`. */
  flush(): void;
  /** Sends the waiting calls, refuses new ones, and resolves once every batch has settled. */
  close(): Promise<void>;
}

interface Waiting<I, O> {
  readonly input: I;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
  /** Set once the call is sent; lets the last caller to abort also abort the handler. */
  batch?: { readonly controller: AbortController; open: number };
  stopListening: () => void;
}

/**
 * Builds a batcher: calls arriving within `maxWaitMs` of the first go to `handler` as one batch
 * (or sooner, when `maxSize` is reached). Each caller gets its own result or error, and one
 * batch failing never touches another.
 * @throws CsAgentsError (INVALID_OPTIONS) when maxSize, maxWaitMs or timeoutMs is out of range.
 * @example
 * const prices = createBatcher({ maxSize: 100, maxWaitMs: 5, handler: (ids, signal) => fetchPrices(ids, signal) });
 * const price = await prices.call("AAPL", signal);
 */
export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  return new CoalescingBatcher(checkOptions(options));
}

class CoalescingBatcher<I, O> implements Batcher<I, O> {
  readonly #options: BatcherOptions<I, O>;
  #waiting: Waiting<I, O>[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(options: BatcherOptions<I, O>) {
    this.#options = options;
  }

  call(input: I, signal?: AbortSignal): Promise<O> {
    if (this.#closed) return Promise.reject(new CsAgentsError("BATCHER_CLOSED", "the batcher is closed"));
    if (signal?.aborted) return Promise.reject(new CancelledError("the batched call was cancelled"));
    return new Promise<O>((resolve, reject) => {
      const item: Waiting<I, O> = { input, resolve, reject, settled: false, stopListening: () => {} };
      if (signal) {
        const onAbort = () => this.#cancel(item);
        signal.addEventListener("abort", onAbort, { once: true });
        item.stopListening = () => signal.removeEventListener("abort", onAbort);
      }
      this.#waiting.push(item);
      if (this.#waiting.length >= this.#options.maxSize) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.#options.maxWaitMs);
    });
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#waiting.length === 0) return;
    const items = this.#waiting;
    this.#waiting = [];
    const run = this.#send(items);
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.flush();
    await Promise.all(this.#running);
  }

  /** Never rejects: every outcome, failures included, is handed to the batch's callers. */
  async #send(items: Waiting<I, O>[]): Promise<void> {
    const batch = { controller: new AbortController(), open: items.length };
    for (const item of items) item.batch = batch;
    let timer: NodeJS.Timeout | undefined;
    try {
      const inputs = items.map((item) => item.input);
      const work = Promise.resolve().then(() => this.#options.handler(inputs, batch.controller.signal));
      const timeoutMs = this.#options.timeoutMs;
      const timedOut = new Promise<never>((_, reject) => {
        if (timeoutMs === undefined) return;
        timer = setTimeout(() => {
          const error = new BatchError("BATCH_TIMEOUT", `batch handler did not finish within ${timeoutMs} ms`, {
            batchSize: items.length,
            retryable: true,
          });
          batch.controller.abort(error);
          reject(error);
        }, timeoutMs);
      });
      this.#deliver(items, await Promise.race([work, timedOut]));
    } catch (error) {
      const failure = error instanceof BatchError ? error : handlerFailure(error, items.length);
      for (const item of items) this.#settle(item, failure);
    } finally {
      clearTimeout(timer);
    }
  }

  #deliver(items: Waiting<I, O>[], results: unknown): void {
    if (!Array.isArray(results) || results.length !== items.length) {
      const got = Array.isArray(results) ? `${results.length} results` : `a ${typeof results}`;
      const message = `batch handler returned ${got} for ${items.length} inputs; it must return one result per input, in order`;
      throw new BatchError("BATCH_RESULT_MISMATCH", message, { batchSize: items.length });
    }
    items.forEach((item, index) => {
      const result: unknown = results[index];
      if (result instanceof Error) this.#settle(item, result);
      else this.#settle(item, undefined, result as O);
    });
  }

  /** A caller gave up: drop it from the queue, or, if its batch is out, stop waiting for it. */
  #cancel(item: Waiting<I, O>): void {
    const index = this.#waiting.indexOf(item);
    if (index >= 0) this.#waiting.splice(index, 1);
    if (this.#waiting.length === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#settle(item, new CancelledError("the batched call was cancelled"));
    // Nobody is left waiting for this batch: let the handler stop too.
    if (item.batch?.open === 0) item.batch.controller.abort(new CancelledError("every call in the batch was cancelled"));
  }

  #settle(item: Waiting<I, O>, error: unknown, output?: O): void {
    if (item.settled) return;
    item.settled = true;
    item.stopListening();
    if (item.batch) item.batch.open--;
    if (error === undefined) item.resolve(output as O);
    else item.reject(error);
  }
}

function handlerFailure(error: unknown, batchSize: number): BatchError {
  const reason = error instanceof Error ? error.message : String(error);
  const retryable = error instanceof CsAgentsError && error.retryable;
  return new BatchError("BATCH_FAILED", `batch handler failed: ${reason}`, { batchSize, cause: error, retryable });
}

function checkOptions<I, O>(options: BatcherOptions<I, O>): BatcherOptions<I, O> {
  const { maxSize, maxWaitMs, timeoutMs, handler } = options;
  const invalid = (message: string) => new CsAgentsError("INVALID_OPTIONS", message);
  if (!Number.isInteger(maxSize) || maxSize < 1) throw invalid(`maxSize must be a whole number >= 1, got ${maxSize}`);
  if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) throw invalid(`maxWaitMs must be a number >= 0, got ${maxWaitMs}`);
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
    throw invalid(`timeoutMs must be a number > 0, got ${timeoutMs}`);
  }
  if (typeof handler !== "function") throw invalid("handler must be a function");
  return options;
}
