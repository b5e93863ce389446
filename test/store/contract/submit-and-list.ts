import { describe, expect, it } from "vitest";
import { newRunId } from "../../../src/core/index.js";
import type { Run } from "../../../src/core/index.js";
import type { RunHeader } from "../../../src/store/index.js";
import { claimOne, runId, submitRuns, useFreshStore } from "./context.js";
import type { MakeStore } from "./context.js";

export function describeSubmitAndList(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);

  describe("submit and get", () => {
    it("counts the queue: unclaimed runs and the oldest one's submission time", async () => {
      expect(await store().queueStats()).toEqual({ depth: 0, oldestCreatedAt: undefined });
      const before = Date.now();
      await submitRuns(store(), 3);
      const queued = await store().queueStats();
      expect(queued.depth).toBe(3);
      expect(queued.oldestCreatedAt?.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(queued.oldestCreatedAt?.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
      await claimOne(store(), "w1");
      expect((await store().queueStats()).depth).toBe(2);
    });

    it("creates a queued run and reads it back", async () => {
      const task = { description: "  生成季度财务报告 ", input: { quarter: "2024Q1" }, tenant: "acme" };
      const { run, created } = await store().submit(task, { runId: "run-001" });
      expect(created).toBe(true);
      expect(run).toMatchObject({ id: "run-001", status: "queued", task: { description: "生成季度财务报告", input: { quarter: "2024Q1" }, tenant: "acme" } });
      expect(run.createdAt).toBeInstanceOf(Date);
      expect(run.updatedAt).toBeInstanceOf(Date);
      expect(Object.keys(run)).not.toContain("plan");
      expect(await store().get("run-001")).toEqual(run);
    });

    it("rejects a malformed task with INVALID_INPUT and stores nothing", async () => {
      await expect(store().submit({ description: "   " }, { runId: "run-001" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      expect(await store().list()).toEqual([]);
    });

    it("rejects a second run with an id already taken", async () => {
      await submitRuns(store(), 1);
      await expect(store().submit({ description: "again" }, { runId: runId(1) })).rejects.toMatchObject({ code: "RUN_EXISTS" });
    });

    it("returns the run an idempotency key created instead of creating another", async () => {
      const first = await store().submit({ description: "report", idempotencyKey: "k1" }, { runId: "run-001" });
      const again = await store().submit({ description: "report, resent", idempotencyKey: "k1" }, { runId: "run-002" });
      expect(again).toEqual({ run: first.run, created: false });
      expect(await store().list()).toHaveLength(1);
    });

    it("scopes idempotency keys by tenant", async () => {
      const ids = await Promise.all(
        [{ tenant: "a" }, { tenant: "b" }, {}].map(async (tenant, i) => (await store().submit({ description: "x", idempotencyKey: "k", ...tenant }, { runId: runId(i + 1) })).run.id),
      );
      expect(new Set(ids).size).toBe(3);
    });

    it("creates one run when the same key is submitted concurrently", async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store().submit({ description: "x", idempotencyKey: "k" }, { runId: runId(i + 1) })));
      expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });

    it("returns undefined for an unknown run", async () => {
      expect(await store().get("nope")).toBeUndefined();
    });
  });

  describe("list", () => {
    it("lists newest first and filters by status and tenant", async () => {
      await submitRuns(store(), 2, { tenant: "a" });
      await store().submit({ description: "b's", tenant: "b" }, { runId: runId(3) });
      await store().transition(await claimOne(store(), "w1"), { status: "running" });
      expect((await store().list()).map((r) => r.id)).toEqual([runId(3), runId(2), runId(1)]);
      expect((await store().list({ tenant: "a" })).map((r) => r.id)).toEqual([runId(2), runId(1)]);
      expect((await store().list({ status: ["queued"] })).map((r) => r.id)).toEqual([runId(3), runId(2)]);
      expect((await store().list({ status: ["queued"], tenant: "b" })).map((r) => r.id)).toEqual([runId(3)]);
      expect(await store().list({ status: [] })).toEqual([]);
    });

    it("pages with limit and before", async () => {
      await submitRuns(store(), 7);
      const ids = async (filter: { limit?: number; before?: string }) => (await store().list(filter)).map((r) => r.id);
      expect(await ids({ limit: 3 })).toEqual([runId(7), runId(6), runId(5)]);
      expect(await ids({ limit: 3, before: runId(5) })).toEqual([runId(4), runId(3), runId(2)]);
      expect(await ids({ limit: 3, before: runId(2) })).toEqual([runId(1)]);
      expect(await ids({ limit: 0 })).toHaveLength(1);
      expect(await ids({ limit: 10_000 })).toHaveLength(7);
    });

    it("lists headers: the same runs as list, in the same order, without plan, result or error", async () => {
      await submitRuns(store(), 3, { tenant: "a" });
      await store().submit({ description: "child", tenant: "a" }, { runId: runId(4), parent: { runId: runId(1), subtask: "s1" } });
      const lease = await claimOne(store(), "w1", { runId: runId(2) });
      await store().transition(lease, { status: "succeeded", plan: { source: "rules", language: "en", params: {}, subtasks: [] }, result: { output: { report: "x".repeat(500) }, subtasks: {}, artifacts: [] } });
      const header = (run: Run): RunHeader => ({ id: run.id, task: run.task, status: run.status, createdAt: run.createdAt, updatedAt: run.updatedAt, ...(run.parent ? { parent: run.parent } : {}) });
      for (const filter of [{}, { tenant: "a" }, { tenant: "b" }, { status: ["succeeded" as const] }, { limit: 2 }, { limit: 2, before: runId(3) }]) {
        const headers = await store().listHeaders(filter);
        expect(headers).toEqual((await store().list(filter)).map(header));
      }
      const [child, , done] = await store().listHeaders({ tenant: "a" });
      expect(child).toMatchObject({ id: runId(4), parent: { runId: runId(1), subtask: "s1" } });
      expect(done).toEqual(expect.not.objectContaining({ result: expect.anything() }));
      expect(done?.status).toBe("succeeded");
    });

    it("pages on from a run that no longer exists by the time in its id", async () => {
      await submitRuns(store(), 2);
      expect(await store().list({ before: newRunId(Date.now() + 60_000) })).toHaveLength(2);
      expect(await store().list({ before: newRunId(Date.now() - 60_000) })).toEqual([]);
    });
  });
}
