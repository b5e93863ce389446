import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { CsAgentsError } from "../../src/core/index.js";
import {
  createToolRegistry,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  defineTool,
  ToolError,
  ToolExecutor,
  type ToolSpec,
} from "../../src/tools/index.js";

const input = z.object({ account: z.string() });
const output = z.object({ balance: z.number() });
type Spec = ToolSpec<typeof input, typeof output>;

function spec(overrides: Partial<Spec> = {}): Spec {
  const handler = async () => ({ balance: 0 });
  return { name: "ledger.balance", description: "reads a balance", input, output, handler, ...overrides };
}

describe("defineTool", () => {
  it("fills in every default", () => {
    const tool = defineTool(spec());
    expect(tool).toMatchObject({
      version: "1",
      timeoutMs: DEFAULT_TIMEOUT_MS,
      retry: DEFAULT_RETRY,
      idempotent: false,
      sensitive: false,
    });
  });

  it("merges a partial retry with the defaults", () => {
    expect(defineTool(spec({ retry: { maxAttempts: 5 } })).retry).toEqual({ ...DEFAULT_RETRY, maxAttempts: 5 });
  });

  it.each(["Ledger", "1ledger", "", "ledger balance", `l${"x".repeat(64)}`])(
    "rejects the name %j with INVALID_TOOL",
    (name) => {
      expect(() => defineTool(spec({ name }))).toThrow(expect.objectContaining({ code: "INVALID_TOOL" }));
    },
  );

  it("accepts lowercase names with dots, underscores and dashes", () => {
    expect(defineTool(spec({ name: "crm.find_customer-v2" })).name).toBe("crm.find_customer-v2");
  });

  it.each([
    { description: "  " },
    { timeoutMs: 0 },
    { timeoutMs: Number.NaN },
    { retry: { maxAttempts: 0 } },
    { retry: { maxAttempts: 1.5 } },
  ])("rejects %o with INVALID_TOOL", (overrides) => {
    expect(() => defineTool(spec(overrides))).toThrow(expect.objectContaining({ code: "INVALID_TOOL" }));
  });

  it("makes a single attempt with retry: false, even for an idempotent tool", async () => {
    const handler = vi.fn<NonNullable<Spec["handler"]>>().mockRejectedValue(new Error("socket hang up"));
    const tool = defineTool(spec({ handler, retry: false, idempotent: true }));
    expect(tool.retry.maxAttempts).toBe(1);
    const executor = new ToolExecutor({ registry: createToolRegistry([tool]) });
    const result = await executor.run({ tool: tool.name, input: { account: "a-1" } });
    expect(result).toMatchObject({ status: "failed", error: { code: "TOOL_FAILED" }, attempts: 1 });
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe("ToolError", () => {
  it("carries its code, retryable flag and cause", () => {
    const cause = new Error("ECONNRESET");
    const error = new ToolError("LEDGER_BUSY", "ledger is busy", { retryable: true, cause });
    expect(error).toBeInstanceOf(CsAgentsError);
    expect(error).toMatchObject({ name: "ToolError", code: "LEDGER_BUSY", retryable: true, cause });
  });

  it("is not retryable unless it says so", () => {
    expect(new ToolError("LEDGER_CLOSED", "closed").retryable).toBe(false);
  });
});
