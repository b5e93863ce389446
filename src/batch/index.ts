export { BatchError, type BatchErrorCode } from "./batch-error.js";
export {
  createBatcher,
  type BatchHandler,
  type BatchItemResult,
  type Batcher,
  type BatcherOptions,
} from "./batcher.js";
