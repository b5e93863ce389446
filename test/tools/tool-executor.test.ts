import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  createToolRegistry,
  defineTool,
  ToolError,
  ToolExecutor,
  type RetryOptions,
  type Tool,
  type ToolContext,
  type ToolExecutorOptions,
} from "../../src/tools/index.js";

type Handler = (input: { amount: number }, context: ToolContext) => Promise<{ total: number }>;

interface LedgerOverrides {
  readonly name?: string;
  readonly timeoutMs?: number;
  readonly idempotent?: boolean;
  readonly retry?: false | Partial<RetryOptions>;
}

function ledgerTool(handler: Handler, overrides: LedgerOverrides = {}): Tool {
  return defineTool({
    name: overrides.name ?? "ledger.sum",
    description: "adds to the ledger",
    input: z.object({ amount: z.number(), currency: z.string().default("EUR") }),
    output: z.object({ total: z.number() }),
    handler,
    timeoutMs: overrides.timeoutMs ?? 1_000,
    idempotent: overrides.idempotent ?? false,
    retry: overrides.retry ?? { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 },
  });
}

function executorFor(tools: Tool[], options: Partial<ToolExecutorOptions> = {}): ToolExecutor {
  return new ToolExecutor({ registry: createToolRegistry(tools), ...options });
}

/** Runs a call to the end with fake timers, so backoff and timeouts take no real time. */
async function settle<T>(pending: Promise<T>): Promise<T> {
  await vi.runAllTimersAsync();
  return pending;
}

const sum = { tool: "ledger.sum", input: { amount: 1 } };
const ok = { total: 1 };
const retryable = () => new ToolError("LEDGER_BUSY", "ledger is busy", { retryable: true });
const down = () => new ToolError("DOWN", "down");
const waitForAbort: Handler = (_input, { signal }) =>
  new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("ToolExecutor.run", () => {
  it("passes the parsed input to the handler and returns the parsed output with attempts and duration", async () => {
    const handler = vi.fn<Handler>(async (input) => ({ total: input.amount * 2, extra: "dropped" }));
    const result = await executorFor([ledgerTool(handler)]).run({ tool: "ledger.sum", input: { amount: 21 } });
    expect(handler.mock.calls[0]?.[0]).toEqual({ amount: 21, currency: "EUR" });
    expect(result).toEqual({ status: "success", output: { total: 42 }, attempts: 1, durationMs: expect.any(Number) });
  });

  it("fails with TOOL_NOT_FOUND listing the known tools, without attempts", async () => {
    const result = await executorFor([ledgerTool(async () => ok)]).run({ tool: "ledger.nope", input: {} });
    expect(result).toMatchObject({ status: "failed", error: { code: "TOOL_NOT_FOUND" }, attempts: 0 });
    expect(result.status === "failed" && result.error.message).toContain("known: ledger.sum");
  });

  it("fails with TOOL_INPUT_INVALID naming the field, without calling the handler", async () => {
    const handler = vi.fn<Handler>(async () => ok);
    const executor = executorFor([ledgerTool(handler, { idempotent: true })]);
    const result = await executor.run({ tool: "ledger.sum", input: { amount: "ten" } });
    expect(result).toMatchObject({ status: "failed", error: { code: "TOOL_INPUT_INVALID" }, attempts: 0 });
    expect(result.status === "failed" && result.error.message).toMatch(/amount: .*expected number/);
    expect(handler).not.toHaveBeenCalled();
  });

  it("fails with TOOL_OUTPUT_INVALID after one attempt, even for an idempotent tool", async () => {
    const handler = vi.fn<Handler>(async () => ({ total: "many" }) as never);
    const result = await settle(executorFor([ledgerTool(handler, { idempotent: true })]).run(sum));
    expect(result).toMatchObject({ status: "failed", error: { code: "TOOL_OUTPUT_INVALID" }, attempts: 1 });
    expect(result.status === "failed" && result.error.message).toContain("total");
  });

  it("validates with a schema's async refinements too, input and output", async () => {
    const known = new Set(["acct-1"]);
    const tool = defineTool({
      name: "account.balance",
      description: "reads an account's balance",
      input: z.object({ account: z.string().refine(async (id) => known.has(id), "no such account") }),
      output: z.object({ balance: z.number().refine(async (n) => n >= 0, "balance below zero") }),
      handler: async ({ account }) => ({ balance: account === "acct-1" ? 5 : -1 }),
      retry: false,
    });
    const executor = executorFor([tool]);
    expect(await executor.run({ tool: "account.balance", input: { account: "acct-1" } })).toMatchObject({ status: "success", output: { balance: 5 } });
    const unknown = await executor.run({ tool: "account.balance", input: { account: "acct-9" } });
    expect(unknown).toMatchObject({ status: "failed", error: { code: "TOOL_INPUT_INVALID" } });
    expect(unknown.status === "failed" && unknown.error.message).toContain("no such account");
    known.add("acct-2");
    const negative = await executor.run({ tool: "account.balance", input: { account: "acct-2" } });
    expect(negative.status === "failed" && negative.error.message).toContain("balance below zero");
  });

  it("never rejects: a handler throwing synchronously or throwing a non-Error fails with TOOL_FAILED", async () => {
    const executor = executorFor([
      ledgerTool(() => { throw new Error("sync boom"); }, { name: "sync" }),
      ledgerTool(() => Promise.reject("a string" as unknown as Error), { name: "string" }),
    ]);
    await expect(executor.run({ ...sum, tool: "sync" })).resolves.toMatchObject({
      error: { code: "TOOL_FAILED", message: "sync boom" },
    });
    await expect(executor.run({ ...sum, tool: "string" })).resolves.toMatchObject({
      error: { code: "TOOL_FAILED", message: "a string" },
    });
  });
});

describe("ToolExecutor timeouts", () => {
  it("aborts the handler's signal and fails with TOOL_TIMEOUT when an attempt runs too long", async () => {
    const handler = vi.fn<Handler>(waitForAbort);
    const pending = executorFor([ledgerTool(handler, { timeoutMs: 50, retry: false })]).run(sum);
    await vi.advanceTimersByTimeAsync(49);
    const signal = handler.mock.calls[0]?.[1].signal;
    expect(signal?.aborted).toBe(false);
    const result = await settle(pending);
    expect(signal?.aborted).toBe(true);
    expect(result).toMatchObject({ status: "failed", error: { code: "TOOL_TIMEOUT" }, attempts: 1 });
  });

  it("times out a handler that ignores its signal", async () => {
    const executor = executorFor([ledgerTool(() => new Promise(() => {}), { timeoutMs: 50, retry: false })]);
    await expect(settle(executor.run(sum))).resolves.toMatchObject({ error: { code: "TOOL_TIMEOUT" }, attempts: 1 });
  });

  it("retries an attempt that timed out", async () => {
    const handler = vi.fn<Handler>().mockReturnValueOnce(new Promise(() => {})).mockResolvedValue(ok);
    const executor = executorFor([ledgerTool(handler, { timeoutMs: 50 })]);
    await expect(settle(executor.run(sum))).resolves.toMatchObject({ status: "success", attempts: 2 });
  });
});

describe("ToolExecutor retries", () => {
  it("retries a retryable ToolError until the handler succeeds, numbering attempts from 1", async () => {
    const handler = vi.fn<Handler>().mockRejectedValueOnce(retryable()).mockRejectedValueOnce(retryable());
    handler.mockResolvedValue(ok);
    const result = await settle(executorFor([ledgerTool(handler)]).run(sum));
    expect(result).toMatchObject({ status: "success", output: ok, attempts: 3 });
    expect(handler.mock.calls.map(([, context]) => context.attempt)).toEqual([1, 2, 3]);
  });

  it("gives up after maxAttempts with the last error's code", async () => {
    const handler = vi.fn<Handler>().mockRejectedValue(retryable());
    const result = await settle(executorFor([ledgerTool(handler)]).run(sum));
    expect(result).toMatchObject({ status: "failed", error: { code: "LEDGER_BUSY" }, attempts: 3 });
  });

  it.each([
    { random: 0, gaps: [50, 100, 150, 150] },
    { random: 0.5, gaps: [75, 150, 225, 225] },
    { random: 0.999, gaps: [99, 199, 299, 299] },
  ])("waits longer after each failed attempt, up to maxDelayMs, with random() = $random", async ({ random, gaps }) => {
    const startedAt: number[] = [];
    const handler = vi.fn<Handler>(async () => {
      startedAt.push(Date.now());
      throw retryable();
    });
    const tool = ledgerTool(handler, { retry: { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 300 } });
    await settle(executorFor([tool], { random: () => random }).run(sum));
    expect(startedAt.slice(1).map((at, i) => at - (startedAt[i] ?? 0))).toEqual(gaps);
  });

  it("fails at once on a non-retryable ToolError, keeping its code", async () => {
    const handler = vi.fn<Handler>().mockRejectedValue(new ToolError("LEDGER_CLOSED", "the ledger is closed"));
    const result = await settle(executorFor([ledgerTool(handler, { idempotent: true })]).run(sum));
    expect(result).toMatchObject({
      status: "failed",
      error: { code: "LEDGER_CLOSED", message: "the ledger is closed" },
      attempts: 1,
    });
  });

  it.each([
    { idempotent: true, attempts: 3 },
    { idempotent: false, attempts: 1 },
  ])("retries a plain error only for an idempotent tool (idempotent: $idempotent)", async (expected) => {
    const handler = vi.fn<Handler>().mockRejectedValue(new Error("socket hang up"));
    const result = await settle(executorFor([ledgerTool(handler, { idempotent: expected.idempotent })]).run(sum));
    expect(result).toMatchObject({
      status: "failed",
      error: { code: "TOOL_FAILED", message: "socket hang up" },
      attempts: expected.attempts,
    });
  });

  it("gives the handler the same idempotency key, run id and tenant on every attempt", async () => {
    const handler = vi.fn<Handler>().mockRejectedValueOnce(retryable()).mockRejectedValueOnce(retryable());
    handler.mockResolvedValue(ok);
    await settle(executorFor([ledgerTool(handler)]).run(sum, { runId: "run-1", stepKey: "step-a", tenant: "acme" }));
    const seen = handler.mock.calls.map(([, { idempotencyKey, runId, tenant }]) => ({ idempotencyKey, runId, tenant }));
    expect(seen).toEqual(Array(3).fill({ idempotencyKey: "run-1/step-a", runId: "run-1", tenant: "acme" }));
  });

  it("leaves the idempotency key undefined unless both runId and stepKey are given", async () => {
    const handler = vi.fn<Handler>(async () => ok);
    const executor = executorFor([ledgerTool(handler)]);
    await executor.run(sum, { runId: "run-1" });
    await executor.run(sum, { stepKey: "step-a" });
    expect(handler.mock.calls.map(([, context]) => context.idempotencyKey)).toEqual([undefined, undefined]);
  });
});

describe("ToolExecutor cancellation", () => {
  it("aborts the handler's signal and fails with CANCELLED when the caller cancels, without retrying", async () => {
    const caller = new AbortController();
    const handler = vi.fn<Handler>(waitForAbort);
    const pending = executorFor([ledgerTool(handler, { idempotent: true })]).run(sum, { signal: caller.signal });
    await vi.advanceTimersByTimeAsync(10);
    caller.abort();
    const result = await settle(pending);
    expect(handler.mock.calls[0]?.[1].signal.aborted).toBe(true);
    expect(result).toMatchObject({ status: "failed", error: { code: "CANCELLED" }, attempts: 1 });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("returns CANCELLED at once when the caller cancels during the backoff, and makes no further attempt", async () => {
    const caller = new AbortController();
    const handler = vi.fn<Handler>().mockRejectedValue(retryable());
    const tool = ledgerTool(handler, { retry: { maxAttempts: 3, initialDelayMs: 10_000, maxDelayMs: 10_000 } });
    const pending = executorFor([tool]).run(sum, { signal: caller.signal });
    await vi.advanceTimersByTimeAsync(10);
    caller.abort();
    await expect(pending).resolves.toMatchObject({ status: "failed", error: { code: "CANCELLED" }, attempts: 1 });
    await vi.runAllTimersAsync();
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("fails with CANCELLED without calling the handler when the signal is already aborted", async () => {
    const handler = vi.fn<Handler>(async () => ok);
    const result = await executorFor([ledgerTool(handler)]).run(sum, { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ status: "failed", error: { code: "CANCELLED" }, attempts: 0 });
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("ToolExecutor circuit breaker", () => {
  const call = (executor: ToolExecutor, tool = "ledger.sum") => settle(executor.run({ ...sum, tool }));
  const trippy = { breaker: { consecutiveFailures: 1, halfOpenAfterMs: 1_000 } };

  it("opens after N consecutive failed calls, then fails fast with TOOL_CIRCUIT_OPEN", async () => {
    const handler = vi.fn<Handler>().mockRejectedValue(retryable());
    const executor = executorFor([ledgerTool(handler, { retry: { maxAttempts: 2 } })], {
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 1_000 },
    });
    for (let i = 0; i < 3; i++) await call(executor);
    expect(executor.breakerState("ledger.sum")).toBe("open");
    const result = await call(executor);
    expect(result).toMatchObject({ status: "failed", error: { code: "TOOL_CIRCUIT_OPEN" }, attempts: 0 });
    expect(result.status === "failed" && result.error.message).toMatch(/trial call through in 1000 ms/);
    expect(handler).toHaveBeenCalledTimes(6);
  });

  it("counts failed calls, not attempts: a call that succeeds on retry resets the count", async () => {
    const handler = vi.fn<Handler>().mockRejectedValueOnce(retryable()).mockRejectedValueOnce(retryable());
    handler.mockResolvedValueOnce(ok).mockRejectedValue(retryable());
    const executor = executorFor([ledgerTool(handler, { retry: { maxAttempts: 2 } })], {
      breaker: { consecutiveFailures: 2 },
    });
    await expect(call(executor)).resolves.toMatchObject({ status: "failed", attempts: 2 });
    await expect(call(executor)).resolves.toMatchObject({ status: "success", attempts: 1 });
    await expect(call(executor)).resolves.toMatchObject({ status: "failed", attempts: 2 });
    expect(executor.breakerState("ledger.sum")).toBe("closed");
  });

  it("does not count validation failures or cancellations against the tool", async () => {
    const handler = vi.fn<Handler>().mockResolvedValueOnce({ total: "bad" } as never).mockRejectedValue(down());
    const executor = executorFor([ledgerTool(handler)], { breaker: { consecutiveFailures: 1 } });
    await executor.run({ ...sum, input: { amount: "bad" } });
    await expect(call(executor)).resolves.toMatchObject({ error: { code: "TOOL_OUTPUT_INVALID" } });
    await executor.run(sum, { signal: AbortSignal.abort() });
    expect(executor.breakerState("ledger.sum")).toBe("closed");
    await call(executor);
    expect(executor.breakerState("ledger.sum")).toBe("open");
  });

  it("lets one trial call through after halfOpenAfterMs and closes when it succeeds", async () => {
    const statesDuringCall: string[] = [];
    const handler = vi.fn<Handler>().mockRejectedValueOnce(down());
    handler.mockImplementation(async () => {
      // Cockatiel marks the breaker half-open just after starting the trial, not before.
      await Promise.resolve();
      statesDuringCall.push(executor.breakerState("ledger.sum"));
      return ok;
    });
    const executor = executorFor([ledgerTool(handler)], trippy);
    await call(executor);
    await vi.advanceTimersByTimeAsync(999);
    await expect(call(executor)).resolves.toMatchObject({ error: { code: "TOOL_CIRCUIT_OPEN" } });
    await vi.advanceTimersByTimeAsync(1);
    await expect(call(executor)).resolves.toMatchObject({ status: "success" });
    expect(statesDuringCall).toEqual(["half-open"]);
    expect(executor.breakerState("ledger.sum")).toBe("closed");
  });

  it("reopens when the trial call fails", async () => {
    const handler = vi.fn<Handler>().mockRejectedValue(down());
    const executor = executorFor([ledgerTool(handler)], trippy);
    await call(executor);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(call(executor)).resolves.toMatchObject({ error: { code: "DOWN" }, attempts: 1 });
    expect(executor.breakerState("ledger.sum")).toBe("open");
    await expect(call(executor)).resolves.toMatchObject({ error: { code: "TOOL_CIRCUIT_OPEN" }, attempts: 0 });
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it("keeps one breaker per tool", async () => {
    const broken = ledgerTool(() => Promise.reject(down()), { name: "broken" });
    const fine = ledgerTool(async () => ok, { name: "fine" });
    const executor = executorFor([broken, fine], { breaker: { consecutiveFailures: 1 } });
    await call(executor, "broken");
    expect(executor.breakerState("broken")).toBe("open");
    await expect(call(executor, "fine")).resolves.toMatchObject({ status: "success" });
    expect(executor.breakerState("fine")).toBe("closed");
  });

  it.each([{ consecutiveFailures: 0 }, { consecutiveFailures: 1.5 }, { halfOpenAfterMs: -1 }])(
    "refuses breaker options %o at construction with INVALID_OPTIONS",
    (breaker) => {
      expect(() => executorFor([], { breaker })).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS" }));
    },
  );
});
