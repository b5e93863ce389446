export {
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  defineTool,
  ToolError,
  type AskRequest,
  type ChildRunRequest,
  type ChildRunResult,
  type CallContext,
  type FencingToken,
  type RetryOptions,
  type ToolBatchOptions,
  type ToolCacheOptions,
  type Tool,
  type ToolCallRequest,
  type ToolCallResult,
  type ToolContext,
  type ToolSpec,
} from "./define-tool.js";
export { ToolExecutor, type ToolExecutorOptions } from "./tool-executor.js";
export { createToolRegistry, type ToolRegistry } from "./tool-registry.js";
