import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createToolCache, MemoryCache } from "../../src/cache/index.js";
import { createToolRegistry, defineTool, ToolError, ToolExecutor, type Tool } from "../../src/tools/index.js";

const io = { input: z.object({ id: z.string(), extra: z.number().optional() }), output: z.object({ id: z.string(), n: z.number() }) };

function executorWith(tools: Tool[]) {
  return new ToolExecutor({ registry: createToolRegistry(tools), cache: createToolCache({ l1: new MemoryCache() }) });
}

describe("ToolExecutor with the tool cache", () => {
  const cachedTool = (handler: (input: { id: string }) => Promise<{ id: string; n: number }>, scope: "global" | "tenant" | "run" = "tenant") =>
    defineTool({ name: "read", description: "reads", ...io, idempotent: true, retry: false, cache: { ttlMs: 60_000, scope }, handler });

  it("serves a repeated call from the cache without calling the handler", async () => {
    const handler = vi.fn(async ({ id }: { id: string }) => ({ id, n: 1 }));
    const executor = executorWith([cachedTool(handler)]);
    const first = await executor.run({ tool: "read", input: { id: "x", extra: 1 } });
    const second = await executor.run({ tool: "read", input: { extra: 1, id: "x" } });
    expect(first).toMatchObject({ status: "success", output: { id: "x", n: 1 }, attempts: 1 });
    expect(second).toMatchObject({ status: "success", output: { id: "x", n: 1 }, attempts: 0 });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("keeps tenants apart unless the tool is global", async () => {
    for (const [scope, calls] of [["tenant", 2], ["global", 1]] as const) {
      const handler = vi.fn(async ({ id }: { id: string }) => ({ id, n: 1 }));
      const executor = executorWith([cachedTool(handler, scope)]);
      await executor.run({ tool: "read", input: { id: "x" } }, { tenant: "a" });
      await executor.run({ tool: "read", input: { id: "x" } }, { tenant: "b" });
      expect(handler, scope).toHaveBeenCalledTimes(calls);
    }
  });

  it("runs 1,000 concurrent identical calls once", async () => {
    const handler = vi.fn(async ({ id }: { id: string }) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { id, n: 7 };
    });
    const executor = executorWith([cachedTool(handler)]);
    const results = await Promise.all(Array.from({ length: 1000 }, () => executor.run({ tool: "read", input: { id: "same" } })));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(results.every((r) => r.status === "success")).toBe(true);
  });

  it("does not cache failures", async () => {
    const handler = vi.fn(async () => {
      throw new ToolError("NOPE", "no such thing");
    });
    const executor = executorWith([cachedTool(handler)]);
    const first = await executor.run({ tool: "read", input: { id: "x" } });
    const second = await executor.run({ tool: "read", input: { id: "x" } });
    expect([first.status, second.status]).toEqual(["failed", "failed"]);
    expect(first.status === "failed" && first.error.code).toBe("NOPE");
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it("lets a writing tool invalidate what it changed", async () => {
    let value = 1;
    const read = cachedTool(async ({ id }) => ({ id, n: value }));
    const write = defineTool({
      name: "write",
      description: "writes",
      input: z.object({ id: z.string(), n: z.number() }),
      output: z.object({ ok: z.boolean() }),
      handler: async ({ id, n }, { invalidate }) => {
        value = n;
        await invalidate("read", { id });
        return { ok: true };
      },
    });
    const executor = executorWith([read, write]);
    expect(await executor.run({ tool: "read", input: { id: "x" } })).toMatchObject({ output: { n: 1 } });
    await executor.run({ tool: "write", input: { id: "x", n: 2 } });
    expect(await executor.run({ tool: "read", input: { id: "x" } })).toMatchObject({ output: { n: 2 } });
  });
});

describe("ToolExecutor with batching", () => {
  function batchedTool(handler: (inputs: readonly { id: string }[]) => Promise<({ id: string; n: number } | Error)[]>, cache = false) {
    return defineTool({
      name: "lookup",
      description: "looks up ids",
      ...io,
      idempotent: true,
      retry: false,
      ...(cache ? { cache: { ttlMs: 60_000, scope: "global" as const } } : {}),
      batch: { maxSize: 100, maxWaitMs: 5, handler },
    });
  }

  it("sends concurrent calls to the backend as one batch and gives each caller its own result", async () => {
    const handler = vi.fn(async (inputs: readonly { id: string }[]) => inputs.map(({ id }) => (id === "bad" ? new ToolError("UNKNOWN_ID", `no ${id}`) : { id, n: id.length })));
    const executor = executorWith([batchedTool(handler)]);
    const ids = ["a", "bb", "bad", "cccc"];
    const results = await Promise.all(ids.map((id) => executor.run({ tool: "lookup", input: { id } })));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(results.map((r) => (r.status === "success" ? r.output : r.error.code))).toEqual([{ id: "a", n: 1 }, { id: "bb", n: 2 }, "UNKNOWN_ID", { id: "cccc", n: 4 }]);
  });

  it("splits at maxSize: 250 calls make 3 backend calls", async () => {
    const handler = vi.fn(async (inputs: readonly { id: string }[]) => inputs.map(({ id }) => ({ id, n: 0 })));
    const executor = executorWith([batchedTool(handler)]);
    await Promise.all(Array.from({ length: 250 }, (_, i) => executor.run({ tool: "lookup", input: { id: `k${i}` } })));
    expect(handler.mock.calls.map(([inputs]) => inputs.length)).toEqual([100, 100, 50]);
  });

  it("never sends cache hits to the batch", async () => {
    const handler = vi.fn(async (inputs: readonly { id: string }[]) => inputs.map(({ id }) => ({ id, n: 0 })));
    const executor = executorWith([batchedTool(handler, true)]);
    await executor.run({ tool: "lookup", input: { id: "warm" } });
    await Promise.all(Array.from({ length: 20 }, () => executor.run({ tool: "lookup", input: { id: "warm" } })));
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("makes a batch tool callable on its own, without a single-item handler", async () => {
    const tool = batchedTool(async (inputs) => inputs.map(({ id }) => ({ id, n: 9 })));
    expect(await tool.handler({ id: "z" }, { signal: new AbortController().signal, attempt: 1, idempotencyKey: undefined, runId: undefined, tenant: undefined, invalidate: async () => undefined, sleep: () => undefined, sleepUntil: () => undefined, ask: () => Promise.reject(new Error("no run")), runChild: () => Promise.reject(new Error("no run")) })).toEqual({ id: "z", n: 9 });
  });
});
