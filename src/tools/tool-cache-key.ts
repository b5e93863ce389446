import { cacheKey } from "../cache/index.js";
import type { CallContext, Tool } from "./define-tool.js";

/**
 * The key of a call's cached result, or undefined when the call is not cacheable: the tool
 * does not opt in, a run-scoped tool is called outside a run, or the key input is not JSON.
 * Runs without a tenant (the CLI) share one tenant of their own, "-".
 */
export function toolCacheKey(tool: Tool, input: unknown, context: CallContext): string | undefined {
  if (!tool.cache) return undefined;
  const { scope } = tool.cache;
  if (scope === "run" && context.runId === undefined) return undefined;
  const tenant = scope === "global" ? undefined : (context.tenant ?? "-");
  try {
    return cacheKey({
      tool: tool.name,
      version: tool.version,
      input: tool.cache.key ? tool.cache.key(input) : input,
      scope,
      ...(tenant === undefined ? {} : { tenant }),
      ...(scope === "run" && context.runId ? { runId: context.runId } : {}),
    });
  } catch {
    return undefined;
  }
}
