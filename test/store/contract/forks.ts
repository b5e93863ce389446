import { describe, expect, it } from "vitest";
import type { Step } from "../../../src/core/index.js";
import type { AuditedSubmitOptions, ForkRequest, RunEventStore, ServiceStore, Store } from "../../../src/store/index.js";
import { claimOne, runId, step, useFreshStore } from "./context.js";
import type { MakeStore } from "./context.js";

const PLAN = { source: "template", language: "en", subtasks: [{ id: "a", title: "A", agent: "x", dependsOn: [], tool: "t", input: {} }] };

/** Forks: a new run seeded with the parent's journal up to a step; the parent untouched. */
export function describeForks(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);
  const service = (): ServiceStore => {
    const s: Store = store();
    if (!("forkAudited" in s)) throw new Error("this store cannot fork");
    return s as ServiceStore;
  };
  const options = (n: number, extra: Partial<AuditedSubmitOptions> = {}): AuditedSubmitOptions => ({ runId: runId(n), requestHash: `h${n}`, submittedBy: "alice", ...extra });
  const draft = { action: "task.forked", actor: "alice", tenant: "t1" };
  const request = (stepKey: string, extra: Partial<ForkRequest> = {}): ForkRequest => ({ parentId: runId(1), stepKey, task: { description: "report", tenant: "t1", input: { quarter: "Q2" } }, ...extra });

  /** run-001 with a journal of every kind and status a fork must tell apart, in this order. */
  async function parent(): Promise<readonly Step[]> {
    await store().submit({ description: "report", tenant: "t1", idempotencyKey: "parent-key", input: { quarter: "Q1" } }, { runId: runId(1) });
    const lease = await claimOne(store(), "w1");
    const steps: Step[] = [
      step(lease, "plan", { kind: "plan", output: PLAN }),
      step(lease, "subtask/a/call/0", { input: { tool: "t", input: {} }, output: { n: 1 }, attempts: 2 }),
      step(lease, "subtask/a/approval/1", { kind: "approval", input: { tool: "pay" }, output: { approved: true } }),
      step(lease, "subtask/a/call/1", { input: { tool: "pay", input: {} }, output: { paid: true } }),
      step(lease, "subtask/b/call/0", { status: "started", input: { tool: "pay", input: {} } }),
      step(lease, "subtask/c/call/0", { status: "failed", input: { tool: "t", input: {} }, error: { code: "TOOL_FAILED", message: "no" } }),
      step(lease, "subtask/d/call/0", { status: "ambiguous", input: { tool: "pay", input: {} } }),
      step(lease, "subtask/a/done", { kind: "subtask", output: { output: { total: 3 }, artifacts: [] } }),
      step(lease, "subtask/e/model/0", { kind: "model_call", output: { type: "finish", output: 1 } }),
      step(lease, "subtask/b/call/1", { output: { late: true } }),
    ];
    for (const s of steps) await store().record(lease, s);
    return store().load(runId(1));
  }

  describe("forking a run", () => {
    it("copies the finished steps before the fork step, minus approvals and intents, records the replaced one, and leaves the parent as it was", async () => {
      const before = await parent();
      const parentRun = await store().get(runId(1));
      const forked = await service().forkAudited(request("subtask/a/done", { output: { value: { total: 99 } } }), options(2), draft);
      expect(forked).toMatchObject({ created: true, run: { id: runId(2), status: "queued", task: { input: { quarter: "Q2" }, tenant: "t1" } } });
      const steps = await store().load(runId(2));
      expect(steps.map((s) => s.key)).toEqual(["plan", "subtask/a/call/0", "subtask/a/call/1", "subtask/c/call/0", "subtask/a/done"]);
      expect(steps[1]).toMatchObject({ runId: runId(2), status: "succeeded", input: { tool: "t", input: {} }, output: { n: 1 }, attempts: 2 });
      expect(steps[3]).toMatchObject({ status: "failed", error: { code: "TOOL_FAILED", message: "no" } });
      expect(steps[4]).toMatchObject({ kind: "subtask", status: "succeeded", output: { output: { total: 99 }, artifacts: [] } });
      expect((await store().get(runId(2)))?.plan).toEqual(PLAN);
      // The parent: the same steps, byte for byte, and the same row.
      expect(JSON.stringify(await store().load(runId(1)))).toBe(JSON.stringify(before));
      expect(await store().get(runId(1))).toEqual(parentRun);
      expect((await service().listAudit()).map((e) => [e.action, e.target])).toEqual([["task.forked", runId(2)]]);
    });

    it("without an output re-executes the step: a subtask's done drops that subtask's steps, a call keeps the calls before it", async () => {
      await parent();
      await service().forkAudited(request("subtask/a/done"), options(2), draft);
      expect((await store().load(runId(2))).map((s) => s.key)).toEqual(["plan", "subtask/c/call/0"]);
      await service().forkAudited(request("subtask/a/call/1"), options(3), draft);
      expect((await store().load(runId(3))).map((s) => s.key)).toEqual(["plan", "subtask/a/call/0"]);
      await service().forkAudited(request("plan"), options(4), draft);
      expect(await store().load(runId(4))).toEqual([]);
      expect((await store().get(runId(4)))?.plan).toBeUndefined();
    });

    it("links the fork and its parent both ways, and gives each an event", async () => {
      await parent();
      await service().forkAudited(request("subtask/a/call/1", { output: { value: { paid: false } } }), options(2), draft);
      await service().forkAudited(request("plan"), options(3), draft);
      const links = await service().forkLinks(runId(1));
      expect(links.forkedFrom).toBeNull();
      expect(links.forks.map((f) => [f.id, f.status, f.step])).toEqual([
        [runId(2), "queued", "subtask/a/call/1"],
        [runId(3), "queued", "plan"],
      ]);
      expect(links.forks[0]?.createdAt).toBeInstanceOf(Date);
      expect(await service().forkLinks(runId(2))).toEqual({ forkedFrom: { runId: runId(1), step: "subtask/a/call/1" }, forks: [] });
      const events = service() as RunEventStore;
      expect(await events.listRunEvents(runId(2), 0)).toMatchObject([{ id: 1, type: "run.forked", data: { runId: runId(2), status: "queued", forkedFrom: { runId: runId(1), step: "subtask/a/call/1" } } }]);
      expect((await events.listRunEvents(runId(1), 0)).map((e) => [e.type, e.data])).toEqual([
        ["fork.created", { runId: runId(1), fork: { id: runId(2), step: "subtask/a/call/1" } }],
        ["fork.created", { runId: runId(1), fork: { id: runId(3), step: "plan" } }],
      ]);
      // A fork of a fork: its origin and its own fork together; a run that does not exist has neither.
      await service().forkAudited(request("plan", { parentId: runId(2) }), options(5), draft);
      const middle = await service().forkLinks(runId(2));
      expect([middle.forkedFrom, middle.forks.map((f) => [f.id, f.step])]).toEqual([{ runId: runId(1), step: "subtask/a/call/1" }, [[runId(5), "plan"]]]);
      expect(await service().forkLinks(runId(9))).toEqual({ forkedFrom: null, forks: [] });
    });

    it("the same idempotency key gives the same fork, once", async () => {
      await parent();
      const task = { description: "report", tenant: "t1", idempotencyKey: "fork-1" };
      const first = await service().forkAudited(request("plan", { task }), options(2), draft);
      const again = await service().forkAudited(request("subtask/a/done", { task }), options(3, { requestHash: "other" }), draft);
      expect(again).toMatchObject({ created: false, requestHash: "h2", run: { id: first.run.id } });
      expect(await store().get(runId(3))).toBeUndefined();
      expect((await service().listAudit()).length).toBe(1);
    });

    it("refuses an unknown step (naming the steps), an output for a step it cannot replace, a missing parent, and the cap; nothing is written", async () => {
      await parent();
      await expect(service().forkAudited(request("subtask/zz/done"), options(2), draft)).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining("subtask/a/call/0") });
      await expect(service().forkAudited(request("subtask/e/model/0", { output: { value: 1 } }), options(2), draft)).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining("model_call") });
      await expect(service().forkAudited(request("plan", { parentId: "run-404" }), options(2), draft)).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(service().forkAudited(request("plan"), options(2, { maxActiveRuns: 1 }), draft)).rejects.toMatchObject({ code: "TOO_MANY_ACTIVE_RUNS" });
      expect(await store().get(runId(2))).toBeUndefined();
      expect(await store().load(runId(2))).toEqual([]);
      expect(await service().listAudit()).toEqual([]);
      expect((await service().forkLinks(runId(1))).forks).toEqual([]);
    });

    it("a fork is a run of its own: claimed with its own lease while the parent keeps its own, and it goes on from its seeded steps", async () => {
      await parent();
      await service().forkAudited(request("subtask/a/call/1"), options(2), draft);
      const lease = await claimOne(store(), "w2", { runId: runId(2) });
      // Epoch 2: the seeded steps count as its first lease's, so a worker reads them.
      expect(lease).toMatchObject({ runId: runId(2), epoch: 2, reclaimed: false });
      await store().record(lease, step(lease, "subtask/a/call/1", { output: { paid: "again" } }));
      expect((await store().load(runId(2))).map((s) => s.key)).toEqual(["plan", "subtask/a/call/0", "subtask/a/call/1"]);
      expect((await store().load(runId(1))).find((s) => s.key === "subtask/a/call/1")?.output).toEqual({ paid: true });
      expect((await store().get(runId(1)))?.status).toBe("running");
    });
  });
}
