import { CsAgentsError } from "../core/index.js";

/**
 * Why a whole batch failed, as seen by each of its callers:
 * - `BATCH_FAILED`: the handler threw or rejected (retryable when its error was).
 * - `BATCH_TIMEOUT`: the handler did not finish within `timeoutMs` (retryable).
 * - `BATCH_RESULT_MISMATCH`: the handler returned a non-array, or not one result per input.
 */
export type BatchErrorCode = "BATCH_FAILED" | "BATCH_TIMEOUT" | "BATCH_RESULT_MISMATCH";

/** A batch failed as a whole; `batchSize` is how many calls it held. */
export class BatchError extends CsAgentsError {
  override readonly code: BatchErrorCode;
  readonly batchSize: number;

  constructor(
    code: BatchErrorCode,
    message: string,
    options: { readonly batchSize: number; readonly cause?: unknown; readonly retryable?: boolean },
  ) {
    super(code, message, options);
    this.code = code;
    this.batchSize = options.batchSize;
  }
}
