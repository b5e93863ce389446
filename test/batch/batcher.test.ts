import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BatchError, createBatcher, type BatchHandler } from "../../src/batch/index.js";
import { CsAgentsError } from "../../src/core/index.js";

/** A handler that answers `input * 10` for each input and records every batch it got. */
function tenfold() {
  const batches: number[][] = [];
  const handler = vi.fn<BatchHandler<number, number>>(async (inputs) => {
    batches.push([...inputs]);
    return inputs.map((input) => input * 10);
  });
  return { handler, batches };
}

const range = (count: number) => Array.from({ length: count }, (_, index) => index);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("createBatcher coalescing", () => {
  it("sends 100 concurrent calls as one batch when maxSize is 100", async () => {
    const { handler, batches } = tenfold();
    const batcher = createBatcher({ maxSize: 100, maxWaitMs: 10, handler });
    const results = await Promise.all(range(100).map((input) => batcher.call(input)));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(batches[0]).toEqual(range(100));
    expect(results).toEqual(range(100).map((input) => input * 10));
  });

  it("splits 250 calls into batches of 100, 100 and 50", async () => {
    const { handler, batches } = tenfold();
    const batcher = createBatcher({ maxSize: 100, maxWaitMs: 10, handler });
    const calls = range(250).map((input) => batcher.call(input));
    await vi.advanceTimersByTimeAsync(10);
    expect(await Promise.all(calls)).toEqual(range(250).map((input) => input * 10));
    expect(batches.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(range(250));
  });

  it("sends a lone call once maxWaitMs has passed, not before", async () => {
    const { handler } = tenfold();
    const batcher = createBatcher({ maxSize: 100, maxWaitMs: 10, handler });
    const call = batcher.call(7);
    await vi.advanceTimersByTimeAsync(9);
    expect(handler).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await call).toBe(70);
  });

  it("counts maxWaitMs from a batch's first call, and starts a new batch after it is sent", async () => {
    const { handler, batches } = tenfold();
    const batcher = createBatcher({ maxSize: 100, maxWaitMs: 10, handler });
    const first = batcher.call(1);
    await vi.advanceTimersByTimeAsync(5);
    const second = batcher.call(2);
    await vi.advanceTimersByTimeAsync(5);
    const third = batcher.call(3);
    await vi.advanceTimersByTimeAsync(10);
    expect(await Promise.all([first, second, third])).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it("batches calls made in the same tick when maxWaitMs is 0", async () => {
    const { handler, batches } = tenfold();
    const batcher = createBatcher({ maxSize: 100, maxWaitMs: 0, handler });
    const calls = [1, 2, 3].map((input) => batcher.call(input));
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.all(calls)).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("gives each caller the result at its own index, however long the handler takes", async () => {
    const handler = vi.fn<BatchHandler<string, string>>(async (inputs) => {
      await new Promise((resolve) => setTimeout(resolve, 3));
      return inputs.map((input) => `${input}!`);
    });
    const batcher = createBatcher({ maxSize: 10, maxWaitMs: 5, handler });
    const inputs = ["c", "a", "b", "e", "d"];
    const calls = inputs.map((input) => batcher.call(input));
    await vi.advanceTimersByTimeAsync(10);
    expect(await Promise.all(calls)).toEqual(["c!", "a!", "b!", "e!", "d!"]);
  });

  it("sends waiting calls at once on flush", async () => {
    const { handler } = tenfold();
    const batcher = createBatcher({ maxSize: 100, maxWaitMs: 60_000, handler });
    const call = batcher.call(4);
    batcher.flush();
    expect(await call).toBe(40);
  });
});

describe("createBatcher failures", () => {
  it("fails only the caller whose result is an Error", async () => {
    const missing = new CsAgentsError("NOT_FOUND", "no price for ZZZ");
    const batcher = createBatcher<number, number>({
      maxSize: 3,
      maxWaitMs: 10,
      handler: async (inputs) => inputs.map((input) => (input === 2 ? missing : input)),
    });
    const [one, two, three] = await Promise.allSettled([1, 2, 3].map((input) => batcher.call(input)));
    expect(one).toEqual({ status: "fulfilled", value: 1 });
    expect(two).toEqual({ status: "rejected", reason: missing });
    expect(three).toEqual({ status: "fulfilled", value: 3 });
  });

  it("fails the whole batch with BATCH_RESULT_MISMATCH when the result count is wrong", async () => {
    for (const wrong of [[1, 2], [1, 2, 3, 4], "not an array"]) {
      const handler = (async () => wrong) as unknown as BatchHandler<number, number>;
      const batcher = createBatcher({ maxSize: 3, maxWaitMs: 10, handler });
      const outcomes = await Promise.allSettled([1, 2, 3].map((input) => batcher.call(input)));
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({ status: "rejected", reason: { code: "BATCH_RESULT_MISMATCH", batchSize: 3 } });
      }
      expect((outcomes[0] as PromiseRejectedResult).reason.message).toMatch(/for 3 inputs/);
    }
  });

  it("fails only that batch's callers when the handler throws, and the next batch is fine", async () => {
    const cause = new Error("upstream 500");
    const handler = vi
      .fn<BatchHandler<number, number>>()
      .mockImplementationOnce(() => {
        throw cause; // thrown synchronously, not even a rejected promise
      })
      .mockImplementation(async (inputs) => [...inputs]);
    const batcher = createBatcher({ maxSize: 2, maxWaitMs: 10, handler });
    const failed = await Promise.allSettled([1, 2].map((input) => batcher.call(input)));
    const later = await Promise.all([3, 4].map((input) => batcher.call(input)));
    for (const outcome of failed) {
      expect(outcome).toMatchObject({ status: "rejected", reason: { code: "BATCH_FAILED", cause, retryable: false } });
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(BatchError);
    }
    expect(later).toEqual([3, 4]);
  });

  it("times out a slow batch, aborting its signal, while a later batch succeeds", async () => {
    const signals: AbortSignal[] = [];
    const handler = vi
      .fn<BatchHandler<number, number>>()
      .mockImplementationOnce((_inputs, signal) => {
        signals.push(signal);
        return new Promise(() => {}); // never answers
      })
      .mockImplementation(async (inputs) => [...inputs]);
    const batcher = createBatcher({ maxSize: 2, maxWaitMs: 10, timeoutMs: 50, handler });
    const slow = Promise.allSettled([1, 2].map((input) => batcher.call(input)));
    const fast = Promise.all([3, 4].map((input) => batcher.call(input)));
    expect(await fast).toEqual([3, 4]);
    await vi.advanceTimersByTimeAsync(50);
    for (const outcome of await slow) {
      expect(outcome).toMatchObject({ status: "rejected", reason: { code: "BATCH_TIMEOUT", retryable: true } });
    }
    expect(signals[0]?.aborted).toBe(true);
  });
});

describe("createBatcher cancellation and lifecycle", () => {
  it("drops an aborted caller from a waiting batch and rejects only it", async () => {
    const { handler, batches } = tenfold();
    const batcher = createBatcher({ maxSize: 100, maxWaitMs: 10, handler });
    const controller = new AbortController();
    const kept = batcher.call(1);
    const dropped = batcher.call(2, controller.signal);
    controller.abort();
    await expect(dropped).rejects.toMatchObject({ code: "CANCELLED" });
    await vi.advanceTimersByTimeAsync(10);
    expect(await kept).toBe(10);
    expect(batches).toEqual([[1]]);
  });

  it("rejects an aborted caller at once after its batch was sent, and aborts the handler when all have gone", async () => {
    let handlerSignal: AbortSignal | undefined;
    const batcher = createBatcher<number, number>({
      maxSize: 2,
      maxWaitMs: 10,
      handler: (inputs, signal) => {
        handlerSignal = signal;
        return new Promise(() => {});
      },
    });
    const [first, second] = [new AbortController(), new AbortController()];
    const calls = [batcher.call(1, first.signal), batcher.call(2, second.signal)];
    const outcomes = Promise.allSettled(calls);
    first.abort();
    await expect(calls[0]).rejects.toMatchObject({ code: "CANCELLED" });
    expect(handlerSignal?.aborted).toBe(false);
    second.abort();
    expect((await outcomes).map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
    expect(handlerSignal?.aborted).toBe(true);
  });

  it("rejects a call whose signal is already aborted without sending it", async () => {
    const { handler } = tenfold();
    const batcher = createBatcher({ maxSize: 1, maxWaitMs: 10, handler });
    await expect(batcher.call(1, AbortSignal.abort())).rejects.toMatchObject({ code: "CANCELLED" });
    expect(handler).not.toHaveBeenCalled();
  });

  it("on close sends what waits, waits for running batches, then refuses calls with BATCHER_CLOSED", async () => {
    const { handler } = tenfold();
    const batcher = createBatcher({ maxSize: 100, maxWaitMs: 60_000, handler });
    const waiting = batcher.call(5);
    await batcher.close();
    expect(await waiting).toBe(50);
    await expect(batcher.call(6)).rejects.toMatchObject({ code: "BATCHER_CLOSED" });
  });

  it("refuses options out of range at construction with INVALID_OPTIONS", () => {
    const { handler } = tenfold();
    const invalid = expect.objectContaining({ code: "INVALID_OPTIONS" });
    for (const options of [
      { maxSize: 0, maxWaitMs: 10 },
      { maxSize: 1.5, maxWaitMs: 10 },
      { maxSize: 10, maxWaitMs: -1 },
      { maxSize: 10, maxWaitMs: Number.NaN },
      { maxSize: 10, maxWaitMs: 10, timeoutMs: 0 },
    ]) {
      expect(() => createBatcher({ ...options, handler })).toThrow(invalid);
    }
  });
});
