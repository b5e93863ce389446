import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AUDIT_GENESIS_HASH, auditEntryHash } from "../../src/store/index.js";
import type { AuditDraft, Lease, ServiceStore } from "../../src/store/index.js";

export interface ServiceStoreFixture {
  readonly store: ServiceStore;
  cleanup(): Promise<void>;
}

const draft = (action: string, tenant = "acme", details: Record<string, unknown> = {}): AuditDraft => ({ action, actor: "alice", tenant, details });
const submitOptions = (n: number, extra: { maxActiveRuns?: number } = {}) => ({ runId: `run-${String(n).padStart(3, "0")}`, requestHash: `h${n}`, submittedBy: "alice", ...extra });

/**
 * The behaviour of the service ports (`AuditStore`, `AuditedRunStore`, `RunEventStore`,
 * `SchemaStore`) every adapter must show, run unchanged against SQLite and PostgreSQL.
 */
export function describeServiceStoreContract(name: string, makeStore: () => Promise<ServiceStoreFixture>): void {
  describe(`${name} (service store contract)`, () => {
    let fixture: ServiceStoreFixture | undefined;
    beforeEach(async () => {
      fixture = await makeStore();
    });
    afterEach(async () => {
      await fixture?.cleanup();
    });
    const store = (): ServiceStore => {
      if (!fixture) throw new Error("no store outside a test");
      return fixture.store;
    };

    async function waitingRun(key: string): Promise<{ runId: string; lease: Lease }> {
      const { run } = await store().submitAudited({ description: "pay", tenant: "acme" }, submitOptions(1), draft("task.submitted"));
      const [lease] = await store().claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      if (!lease) throw new Error("nothing claimed");
      await store().record(lease, { runId: run.id, key, kind: "approval", status: "ambiguous", input: { tool: "pay", argsHash: "x" }, startedAt: new Date() });
      await store().transition(lease, { status: "waiting_approval" });
      return { runId: run.id, lease };
    }

    it("has no pending migrations once migrated", async () => {
      expect(await store().pendingMigrations()).toEqual([]);
    });

    it("chains every appended entry to the one before it", async () => {
      const first = await store().appendAudit(draft("auth.failed", "", { reason: "expired" }));
      const second = await store().appendAudit(draft("task.submitted"));
      expect(first).toMatchObject({ seq: 1, prevHash: AUDIT_GENESIS_HASH, details: { reason: "expired" }, target: null });
      expect(second.seq).toBe(2);
      expect(second.prevHash).toBe(first.hash);
      for (const entry of await store().listAudit()) expect(auditEntryHash(entry.prevHash, entry)).toBe(entry.hash);
      expect((await store().auditHead())?.hash).toBe(second.hash);
    });

    it("keeps the chain whole under concurrent appends", async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store().appendAudit(draft(`a${i}`))));
      const entries = await store().listAudit({ limit: 100 });
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      entries.forEach((entry, i) => expect(entry.prevHash).toBe(i === 0 ? AUDIT_GENESIS_HASH : entries[i - 1]?.hash));
    });

    it("pages the log by sequence number and filters by tenant", async () => {
      for (let i = 0; i < 5; i++) await store().appendAudit(draft(`a${i}`, i % 2 === 0 ? "acme" : "globex"));
      expect((await store().listAudit({ afterSeq: 3 })).map((e) => e.seq)).toEqual([4, 5]);
      expect((await store().listAudit({ limit: 2 })).map((e) => e.seq)).toEqual([1, 2]);
      expect((await store().listAudit({ tenant: "globex" })).map((e) => e.seq)).toEqual([2, 4]);
    });

    it("submits with its audit entry, and returns the same run for the same key without a second entry", async () => {
      const task = { description: "report", tenant: "acme", idempotencyKey: "k1" };
      const first = await store().submitAudited(task, submitOptions(1), draft("task.submitted"));
      const again = await store().submitAudited(task, { ...submitOptions(2), requestHash: "other" }, draft("task.submitted"));
      expect(first).toMatchObject({ created: true, requestHash: "h1", submittedBy: "alice" });
      expect(again).toMatchObject({ created: false, requestHash: "h1", submittedBy: "alice" });
      expect(again.run.id).toBe(first.run.id);
      expect(await store().submission(first.run.id)).toEqual({ requestHash: "h1", submittedBy: "alice" });
      const entries = await store().listAudit();
      expect(entries.map((e) => [e.action, e.target])).toEqual([["task.submitted", first.run.id]]);
    });

    it("refuses a submission over the tenant's active-run cap, storing and auditing nothing", async () => {
      await store().submitAudited({ description: "a", tenant: "acme" }, submitOptions(1, { maxActiveRuns: 1 }), draft("task.submitted"));
      await expect(store().submitAudited({ description: "b", tenant: "acme" }, submitOptions(2, { maxActiveRuns: 1 }), draft("task.submitted"))).rejects.toMatchObject({
        code: "TOO_MANY_ACTIVE_RUNS",
      });
      await store().submitAudited({ description: "c", tenant: "globex" }, submitOptions(3, { maxActiveRuns: 1 }), draft("task.submitted"));
      expect(await store().get("run-002")).toBeUndefined();
      expect((await store().listAudit()).length).toBe(2);
    });

    it("counts only the tenant's unfinished runs towards the cap", async () => {
      const { run } = await store().submitAudited({ description: "a", tenant: "acme" }, submitOptions(1, { maxActiveRuns: 1 }), draft("task.submitted"));
      await store().cancel(run.id, draft("task.cancelled"));
      const next = await store().submitAudited({ description: "b", tenant: "acme" }, submitOptions(2, { maxActiveRuns: 1 }), draft("task.submitted"));
      expect(next).toMatchObject({ created: true, run: { id: "run-002", status: "queued" } });
    });

    it("holds a cap of several exactly, and a cap lowered below what a tenant already has", async () => {
      const submit = (n: number, maxActiveRuns: number) => store().submitAudited({ description: `r${n}`, tenant: "acme" }, submitOptions(n, { maxActiveRuns }), draft("task.submitted"));
      for (let n = 1; n <= 5; n++) await submit(n, 5);
      await expect(submit(6, 5)).rejects.toMatchObject({ code: "TOO_MANY_ACTIVE_RUNS" });
      // Five unfinished runs: a cap of 3 refuses (the count may stop at the cap), a cap of 6 takes one more.
      await expect(submit(6, 3)).rejects.toMatchObject({ code: "TOO_MANY_ACTIVE_RUNS" });
      await expect(submit(6, 6)).resolves.toMatchObject({ created: true });
      await expect(submit(7, 6)).rejects.toMatchObject({ code: "TOO_MANY_ACTIVE_RUNS" });
      await store().cancel("run-001", draft("task.cancelled"));
      await expect(submit(7, 6)).resolves.toMatchObject({ created: true });
    });

    it("holds different caps for one tenant inside one group of submissions", async () => {
      const submit = (n: number, maxActiveRuns: number) => store().submitAudited({ description: `r${n}`, tenant: "acme" }, submitOptions(n, { maxActiveRuns }), draft("task.submitted"));
      for (let n = 1; n <= 5; n++) await submit(n, 5);
      // Together, in this order: a count that stopped at the small cap must not pass for the large one's.
      const settled = await Promise.allSettled([submit(6, 3), submit(7, 7), submit(8, 7), submit(9, 7), submit(10, 3)]);
      expect(settled.map((s) => (s.status === "fulfilled" ? "created" : (s.reason as { code?: string }).code))).toEqual(["TOO_MANY_ACTIVE_RUNS", "created", "created", "TOO_MANY_ACTIVE_RUNS", "TOO_MANY_ACTIVE_RUNS"]);
      expect((await store().listAudit({ limit: 100 })).length).toBe(7);
    });

    it("commits concurrent submissions together with every guarantee: one run per key, the cap, a refused one alone, a whole chain", async () => {
      await store().submitAudited({ description: "before", tenant: "acme", idempotencyKey: "old" }, submitOptions(1), draft("task.submitted"));
      // Arrive together, so they share a group: duplicate keys inside it and with a stored run,
      // a tenant capped at 3 (one already stored), a malformed task, a taken run id, other tenants.
      const submit = (n: number, task: Record<string, unknown>, extra: { maxActiveRuns?: number; runId?: string } = {}) =>
        store().submitAudited(task as never, { ...submitOptions(n, extra), ...(extra.runId ? { runId: extra.runId } : {}) }, draft("task.submitted", String(task.tenant ?? "")));
      const settled = await Promise.allSettled([
        submit(2, { description: "k1 first", tenant: "acme", idempotencyKey: "k1" }, { maxActiveRuns: 3 }),
        submit(3, { description: "k1 again", tenant: "acme", idempotencyKey: "k1" }, { maxActiveRuns: 3 }),
        submit(4, { description: "old again", tenant: "acme", idempotencyKey: "old" }, { maxActiveRuns: 3 }),
        submit(5, { description: "third", tenant: "acme" }, { maxActiveRuns: 3 }),
        submit(6, { description: "over the cap", tenant: "acme" }, { maxActiveRuns: 3 }),
        submit(7, { description: "", tenant: "globex" }),
        submit(8, { description: "taken id", tenant: "globex" }, { runId: "run-001" }),
        ...Array.from({ length: 10 }, (_, i) => submit(10 + i, { description: `globex ${i}`, tenant: "globex", idempotencyKey: `g${i % 5}` })),
      ]);
      const value = (i: number) => {
        const s = settled[i];
        if (s?.status !== "fulfilled") throw new Error(`submission ${i} failed: ${String(s?.status === "rejected" ? s.reason : s)}`);
        return s.value;
      };
      expect(value(0)).toMatchObject({ created: true, run: { id: "run-002" } });
      expect(value(1)).toMatchObject({ created: false, run: { id: "run-002" }, requestHash: "h2" });
      expect(value(2)).toMatchObject({ created: false, run: { id: "run-001" }, requestHash: "h1" });
      expect(value(3)).toMatchObject({ created: true, run: { id: "run-005" } });
      expect(settled[4]).toMatchObject({ status: "rejected", reason: { code: "TOO_MANY_ACTIVE_RUNS" } });
      expect(settled[5]?.status).toBe("rejected");
      expect(settled[6]).toMatchObject({ status: "rejected", reason: { code: "RUN_EXISTS" } });
      for (let i = 0; i < 10; i++) expect(value(7 + i)).toMatchObject({ created: i < 5, run: { id: `run-${String(10 + (i % 5)).padStart(3, "0")}` } });

      // Only the runs created are stored, each with one audit entry, and the chain is whole.
      for (const id of ["run-006", "run-007", "run-015", "run-016"]) expect(await store().get(id)).toBeUndefined();
      expect((await store().get("run-001"))?.task.description).toBe("before");
      const entries = await store().listAudit({ limit: 100 });
      expect(entries.map((e) => e.target).sort()).toEqual(["run-001", "run-002", "run-005", "run-010", "run-011", "run-012", "run-013", "run-014"]);
      entries.forEach((entry, i) => {
        expect(entry.seq).toBe(i + 1);
        expect(entry.prevHash).toBe(i === 0 ? AUDIT_GENESIS_HASH : entries[i - 1]?.hash);
        expect(auditEntryHash(entry.prevHash, entry)).toBe(entry.hash);
      });
      // A group after the refusals still works, and the cap still counts what the group created.
      await expect(submit(20, { description: "still capped", tenant: "acme" }, { maxActiveRuns: 3 })).rejects.toMatchObject({ code: "TOO_MANY_ACTIVE_RUNS" });
      await expect(submit(21, { description: "room", tenant: "acme" }, { maxActiveRuns: 4 })).resolves.toMatchObject({ created: true });
    });

    it("cancels a queued run once, with one audit entry", async () => {
      const { run } = await store().submitAudited({ description: "a", tenant: "acme" }, submitOptions(1), draft("task.submitted"));
      const first = await store().cancel(run.id, draft("task.cancelled"));
      const second = await store().cancel(run.id, draft("task.cancelled"));
      expect(first).toMatchObject({ cancelled: true, run: { status: "cancelled", error: { code: "CANCELLED" } } });
      expect(second).toMatchObject({ cancelled: false, run: { status: "cancelled" } });
      expect(await store().cancel("run-404", draft("task.cancelled"))).toBeUndefined();
      expect((await store().listAudit()).map((e) => e.action)).toEqual(["task.submitted", "task.cancelled"]);
    });

    it("cancels a sleeping run at once: it never wakes", async () => {
      const { run } = await store().submitAudited({ description: "a", tenant: "acme" }, submitOptions(1), draft("task.submitted"));
      const [lease] = await store().claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      if (!lease) throw new Error("nothing claimed");
      await store().sleep(lease, new Date(Date.now() + 200));
      expect(await store().cancel(run.id, draft("task.cancelled"))).toMatchObject({ cancelled: true, run: { status: "cancelled" } });
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await store().claim({ workerId: "w2", leaseMs: 60_000, limit: 1, maxCrashes: 3 })).toEqual([]);
      expect((await store().get(run.id))?.status).toBe("cancelled");
    });

    it("tells which of the given runs were cancelled", async () => {
      const a = (await store().submitAudited({ description: "a", tenant: "acme" }, submitOptions(1), draft("task.submitted"))).run;
      const b = (await store().submitAudited({ description: "b", tenant: "acme" }, submitOptions(2), draft("task.submitted"))).run;
      await store().claim({ workerId: "w1", leaseMs: 60_000, limit: 2, maxCrashes: 3 });
      expect(await store().cancelledAmong([a.id, b.id])).toEqual([]);
      await store().cancel(b.id, draft("task.cancelled"));
      expect(await store().cancelledAmong([a.id, b.id, "run-404"])).toEqual([b.id]);
      expect(await store().cancelledAmong([])).toEqual([]);
    });

    it("fences out the worker of a cancelled running run", async () => {
      const { run } = await store().submitAudited({ description: "a", tenant: "acme" }, submitOptions(1), draft("task.submitted"));
      const [lease] = await store().claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      if (!lease) throw new Error("nothing claimed");
      await store().transition(lease, { status: "running" });
      await store().cancel(run.id, draft("task.cancelled"));
      expect(await store().heartbeat(lease, 60_000)).toBe(false);
      await expect(store().record(lease, { runId: run.id, key: "plan", kind: "plan", status: "succeeded", startedAt: new Date() })).rejects.toMatchObject({ code: "LEASE_LOST" });
      await expect(store().transition(lease, { status: "succeeded", plan: { subtasks: [] } as never, result: { subtasks: {}, artifacts: [], output: null } })).rejects.toMatchObject({
        code: "LEASE_LOST",
      });
      expect((await store().get(run.id))?.status).toBe("cancelled");
      expect(await store().claim({ workerId: "w2", leaseMs: 60_000, limit: 1, maxCrashes: 3 })).toEqual([]);
    });

    it("records a step with its audit entry together, and neither once the lease is lost", async () => {
      const { run } = await store().submitAudited({ description: "a", tenant: "acme" }, submitOptions(1), draft("task.submitted"));
      const [lease] = await store().claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      if (!lease) throw new Error("nothing claimed");
      const step = { runId: run.id, key: "subtask/a/model/0", kind: "model_call" as const, status: "succeeded" as const, output: { type: "finish" }, startedAt: new Date(), finishedAt: new Date() };
      await store().recordAudited(lease, step, { ...draft("model.output"), target: run.id, details: { stepKey: step.key } });
      expect((await store().load(run.id)).map((s) => s.key)).toEqual([step.key]);
      const entries = await store().listAudit();
      expect(entries.map((e) => e.action)).toEqual(["task.submitted", "model.output"]);
      expect(entries[1]).toMatchObject({ target: run.id, details: { stepKey: step.key } });

      await store().cancel(run.id, draft("task.cancelled"));
      await expect(store().recordAudited(lease, { ...step, key: "subtask/a/model/1" }, draft("model.output"))).rejects.toMatchObject({ code: "LEASE_LOST" });
      expect((await store().load(run.id)).map((s) => s.key)).toEqual([step.key]);
      expect((await store().listAudit()).map((e) => e.action)).toEqual(["task.submitted", "model.output", "task.cancelled"]);
    });

    it("decides an ambiguous step with its audit entry, once", async () => {
      const { runId } = await waitingRun("subtask/pay/approval/0");
      await store().decideAudited(runId, "subtask/pay/approval/0", { action: "done", output: { approved: true, by: "bob" } }, draft("approval.approved"));
      const steps = await store().load(runId);
      expect(steps[0]).toMatchObject({ status: "succeeded", output: { approved: true, by: "bob" } });
      expect((await store().get(runId))?.status).toBe("queued");
      await expect(store().decideAudited(runId, "subtask/pay/approval/0", { action: "fail", reason: "no" }, draft("approval.denied"))).rejects.toMatchObject({
        code: "NOT_AMBIGUOUS",
      });
      expect((await store().listAudit()).map((e) => e.action)).toEqual(["task.submitted", "approval.approved"]);
    });

    it("gives run events ids once, in order, however often they are proposed", async () => {
      const { run } = await store().submitAudited({ description: "a", tenant: "acme" }, submitOptions(1), draft("task.submitted"));
      const c = (key: string) => ({ key, type: "t", data: { key } });
      await store().syncRunEvents(run.id, [c("a"), c("b")]);
      await Promise.all([store().syncRunEvents(run.id, [c("a"), c("b"), c("c")]), store().syncRunEvents(run.id, [c("a"), c("b"), c("c")])]);
      await store().syncRunEvents(run.id, [c("b"), c("d")]);
      const events = await store().listRunEvents(run.id, 0);
      expect(events.map((e) => [e.id, e.data.key])).toEqual([
        [1, "a"],
        [2, "b"],
        [3, "c"],
        [4, "d"],
      ]);
      expect((await store().listRunEvents(run.id, 2)).map((e) => e.id)).toEqual([3, 4]);
      await store().syncRunEvents("run-404", [c("a")]);
      expect(await store().listRunEvents("run-404", 0)).toEqual([]);
    });
  });
}
