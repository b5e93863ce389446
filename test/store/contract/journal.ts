import { describe, expect, it } from "vitest";
import { JournalError } from "../../../src/core/index.js";
import type { Plan } from "../../../src/core/index.js";
import { claimOne, step, submitRuns, useFreshStore } from "./context.js";
import type { MakeStore } from "./context.js";

const PLAN: Plan = {
  source: "template:test",
  language: "en",
  params: {},
  subtasks: [{ id: "a", title: "A", agent: "data", instructions: "", dependsOn: [], tool: "t", input: {} }],
};

export function describeJournal(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);
  const leased = async () => {
    await submitRuns(store(), 1);
    return claimOne(store(), "w1");
  };

  describe("record and load", () => {
    it("stores a step once per key, in the order keys were first recorded", async () => {
      const lease = await leased();
      await store().record(lease, step(lease, "a", { status: "started" }));
      await store().record(lease, step(lease, "b"));
      await store().record(lease, step(lease, "a", { status: "succeeded", output: 1 }));
      const steps = await store().load(lease.runId);
      expect(steps.map((s) => [s.key, s.status])).toEqual([
        ["a", "succeeded"],
        ["b", "succeeded"],
      ]);
    });

    it("records several steps in one write, in order, after steps already there", async () => {
      const lease = await leased();
      await store().record(lease, step(lease, "plan", { kind: "plan", output: PLAN }));
      await store().recordAll(lease, [step(lease, "subtask/a/call/0", { output: { n: 1 } }), step(lease, "subtask/a/done", { kind: "subtask", output: { ok: "是" } })]);
      await store().recordAll(lease, [step(lease, "subtask/a/call/0", { status: "failed", error: { code: "X", message: "x" } })]);
      const steps = await store().load(lease.runId);
      expect(steps.map((s) => [s.key, s.status])).toEqual([
        ["plan", "succeeded"],
        ["subtask/a/call/0", "failed"],
        ["subtask/a/done", "succeeded"],
      ]);
      expect(steps[2]?.output).toEqual({ ok: "是" });
      expect((await store().get(lease.runId))?.plan).toEqual(PLAN);
    });

    it("writes none of several steps for a stale lease, and refuses an empty list or a key twice", async () => {
      const old = await leased();
      await claimOne(store(), "w2", { runId: old.runId });
      await expect(store().recordAll(old, [step(old, "x"), step(old, "y")])).rejects.toMatchObject({ code: "LEASE_LOST" });
      expect(store().stats().staleWritesRejected).toBe(1);
      expect(await store().load(old.runId)).toEqual([]);
      const current = await claimOne(store(), "w3", { runId: old.runId });
      await expect(store().recordAll(current, [])).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await expect(store().recordAll(current, [step(current, "x"), step(current, "x")])).rejects.toMatchObject({ code: "INVALID_INPUT" });
      expect(await store().load(old.runId)).toEqual([]);
    });

    it("gives every step of concurrent records its own place", async () => {
      const lease = await leased();
      const keys = Array.from({ length: 12 }, (_, i) => `subtask/s${i}/done`);
      await Promise.all(keys.map((key) => store().record(lease, step(lease, key))));
      const loaded = (await store().load(lease.runId)).map((s) => s.key);
      expect([...loaded].sort()).toEqual([...keys].sort());
      await store().record(lease, step(lease, keys[5] ?? "", { status: "failed" }));
      expect((await store().load(lease.runId)).map((s) => s.key)).toEqual(loaded);
    });

    it("settles concurrent writes of many runs each by its own lease, steps in order within each run", async () => {
      const ids = await submitRuns(store(), 8);
      const leases = await Promise.all(ids.map((id) => claimOne(store(), "w1", { runId: id })));
      // Two runs taken over by another worker: only their writes fail.
      const stale = new Set([ids[2] ?? "", ids[5] ?? ""]);
      for (const id of stale) await claimOne(store(), "w2", { runId: id });
      // Each run writes as the engine does, one write after the other; the runs write at once.
      const settled = await Promise.allSettled(
        leases.map(async (lease) => {
          await store().recordAll(lease, [step(lease, "plan", { kind: "plan", output: PLAN }), step(lease, "subtask/a/call/0", { output: { run: lease.runId } })]);
          await store().record(lease, step(lease, "subtask/a/done", { kind: "subtask" }));
        }),
      );
      for (const [i, result] of settled.entries()) {
        if (stale.has(leases[i]?.runId ?? "")) expect(result).toMatchObject({ status: "rejected", reason: { code: "LEASE_LOST" } });
        else expect(result.status).toBe("fulfilled");
      }
      expect(store().stats().staleWritesRejected).toBe(2);
      for (const lease of leases) {
        const steps = await store().load(lease.runId);
        if (stale.has(lease.runId)) {
          expect(steps).toEqual([]);
          continue;
        }
        expect(steps.map((s) => s.key)).toEqual(["plan", "subtask/a/call/0", "subtask/a/done"]);
        expect(steps[1]?.output).toEqual({ run: lease.runId });
        expect((await store().get(lease.runId))?.plan).toEqual(PLAN);
      }
    });

    it("fails only the write the database refuses when many runs write at once", async () => {
      const ids = await submitRuns(store(), 6);
      const leases = await Promise.all(ids.map((id) => claimOne(store(), "w1", { runId: id })));
      // An invalid time: the store cannot write it, whatever else is written with it.
      const settled = await Promise.allSettled(leases.map((lease, i) => store().record(lease, step(lease, "subtask/a/done", i === 2 ? { startedAt: new Date(Number.NaN) } : {}))));
      expect(settled.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
      expect(settled[2]).toMatchObject({ reason: { code: "JOURNAL_UNAVAILABLE" } });
      for (const [i, lease] of leases.entries()) expect((await store().load(lease.runId)).map((s) => s.key)).toEqual(i === 2 ? [] : ["subtask/a/done"]);
    });

    it("reads back every field, keeping absent fields absent and JSON null as null", async () => {
      const lease = await leased();
      const full = step(lease, "full", {
        kind: "model_call",
        status: "failed",
        input: { zeta: 1, alpha: [1, "二", null], mid: { b: true, a: 1.5 } },
        output: null,
        error: { code: "TIMEOUT", message: "took too long" },
        attempts: 3,
        finishedAt: new Date(1_700_000_000_123),
      });
      const bare = step(lease, "bare", { status: "started" });
      await store().record(lease, full);
      await store().record(lease, bare);
      const [readFull, readBare] = await store().load(lease.runId);
      expect(readFull).toEqual(full);
      expect(Object.keys(readFull?.input as object)).toEqual(["zeta", "alpha", "mid"]);
      expect(readBare).toEqual(bare);
      expect(Object.keys(readBare ?? {}).sort()).toEqual(["key", "kind", "runId", "startedAt", "status"]);
    });

    it("rejects a stale write with LEASE_LOST, writes nothing and counts it", async () => {
      const old = await leased();
      const taken = await claimOne(store(), "w2", { runId: old.runId });
      const error = await store().record(old, step(old, "zombie")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JournalError);
      expect(error).toMatchObject({ code: "LEASE_LOST", message: expect.stringContaining(`lease epoch ${old.epoch} is no longer current`) });
      expect(await store().load(old.runId)).toEqual([]);
      expect(store().stats().staleWritesRejected).toBe(1);
      await store().record(taken, step(taken, "live"));
      expect((await store().load(old.runId)).map((s) => s.key)).toEqual(["live"]);
    });

    it("refuses a step of another run", async () => {
      const lease = await leased();
      await expect(store().record(lease, { ...step(lease, "x"), runId: "other" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    });

    it("keeps a succeeded plan step's plan on the run", async () => {
      const lease = await leased();
      await store().record(lease, step(lease, "plan", { kind: "plan", output: PLAN }));
      expect((await store().get(lease.runId))?.plan).toEqual(PLAN);
    });

    it("loads nothing for an unknown run", async () => {
      expect(await store().load("nope")).toEqual([]);
    });
  });

  describe("transition", () => {
    it("moves the run through running to a final outcome and lets go of the lease", async () => {
      const lease = await leased();
      await store().transition(lease, { status: "running" });
      expect((await store().get(lease.runId))?.status).toBe("running");
      const result = { subtasks: {}, artifacts: [{ name: "r.md", mediaType: "text/markdown", content: "# r" }], output: { ok: true } };
      await store().transition(lease, { status: "succeeded", plan: PLAN, result });
      const run = await store().get(lease.runId);
      expect(run).toMatchObject({ status: "succeeded", plan: PLAN, result });
      expect(run?.error).toBeUndefined();
      expect(run && run.updatedAt >= run.createdAt).toBe(true);
      expect(await store().heartbeat(lease, 1000)).toBe(false);
      await expect(store().transition(lease, { status: "running" })).rejects.toMatchObject({ code: "LEASE_LOST" });
    });

    it("keeps the recorded plan when a failure carries none", async () => {
      const lease = await leased();
      await store().record(lease, step(lease, "plan", { kind: "plan", output: PLAN }));
      await store().transition(lease, { status: "failed", plan: undefined, error: { code: "BOOM", message: "it broke" } });
      expect(await store().get(lease.runId)).toMatchObject({ status: "failed", plan: PLAN, error: { code: "BOOM", message: "it broke" } });
    });

    it("settles concurrent transitions of many runs each by its own lease", async () => {
      const ids = await submitRuns(store(), 8);
      const leases = await Promise.all(ids.map((id) => claimOne(store(), "w1", { runId: id })));
      const stale = ids[3] ?? "";
      await claimOne(store(), "w2", { runId: stale });
      const outcomes = leases.map((lease, i) =>
        i % 2 === 0
          ? ({ status: "succeeded", plan: PLAN, result: { subtasks: {}, artifacts: [], output: { i } } } as const)
          : ({ status: "failed", plan: undefined, error: { code: "BOOM", message: `run ${i} broke` } } as const),
      );
      const settled = await Promise.allSettled(leases.map((lease, i) => store().transition(lease, outcomes[i] ?? { status: "running" })));
      expect(settled.map((r) => r.status)).toEqual(ids.map((id) => (id === stale ? "rejected" : "fulfilled")));
      expect(settled[3]).toMatchObject({ reason: { code: "LEASE_LOST" } });
      for (const [i, lease] of leases.entries()) {
        const run = await store().get(lease.runId);
        if (lease.runId === stale) expect(run?.status).toBe("running");
        else if (i % 2 === 0) expect(run).toMatchObject({ status: "succeeded", plan: PLAN, result: { output: { i } } });
        else expect(run).toMatchObject({ status: "failed", error: { code: "BOOM", message: `run ${i} broke` } });
        if (lease.runId !== stale) expect(await store().heartbeat(lease, 1000)).toBe(false);
      }
    });

    it("rejects a stale lease with LEASE_LOST and counts it", async () => {
      const old = await leased();
      await claimOne(store(), "w2", { runId: old.runId });
      await expect(store().transition(old, { status: "waiting_approval" })).rejects.toBeInstanceOf(JournalError);
      expect(store().stats().staleWritesRejected).toBe(1);
      expect((await store().get(old.runId))?.status).toBe("running");
    });

    it("records the run's last steps with its outcome, both in one write", async () => {
      const lease = await leased();
      await store().record(lease, step(lease, "plan", { kind: "plan", output: PLAN }));
      const result = { subtasks: {}, artifacts: [], output: { total: 3 } };
      await store().transition(lease, { status: "succeeded", result }, [
        step(lease, "subtask/a/call/0", { output: { n: 3 } }),
        step(lease, "subtask/a/done", { kind: "subtask", output: { output: { total: 3 }, artifacts: [] } }),
      ]);
      expect(await store().get(lease.runId)).toMatchObject({ status: "succeeded", plan: PLAN, result });
      expect((await store().load(lease.runId)).map((s) => s.key)).toEqual(["plan", "subtask/a/call/0", "subtask/a/done"]);
      expect(await store().heartbeat(lease, 1000)).toBe(false);
    });

    it("writes neither the last steps nor the outcome for a stale lease", async () => {
      const old = await leased();
      await claimOne(store(), "w2", { runId: old.runId });
      await expect(store().transition(old, { status: "failed", error: { code: "X", message: "x" } }, [step(old, "subtask/a/done", { kind: "subtask", status: "failed" })])).rejects.toMatchObject({
        code: "LEASE_LOST",
      });
      expect(store().stats().staleWritesRejected).toBe(1);
      expect(await store().load(old.runId)).toEqual([]);
      expect((await store().get(old.runId))?.status).toBe("running");
    });

    it("refuses last steps with a key twice, writing nothing", async () => {
      const lease = await leased();
      const done = step(lease, "subtask/a/done", { kind: "subtask" });
      await expect(store().transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: null } }, [done, done])).rejects.toMatchObject({
        code: "INVALID_INPUT",
      });
      expect(await store().load(lease.runId)).toEqual([]);
      expect((await store().get(lease.runId))?.status).toBe("running");
    });

    it("settles concurrent writes, some with an outcome, each by its own lease", async () => {
      const ids = await submitRuns(store(), 8);
      const leases = await Promise.all(ids.map((id) => claimOne(store(), "w1", { runId: id })));
      const stale = ids[5] ?? "";
      await claimOne(store(), "w2", { runId: stale });
      const settled = await Promise.allSettled(
        leases.map((lease, i) =>
          i % 2 === 0
            ? store().recordAll(lease, [step(lease, "subtask/a/done", { kind: "subtask", output: { i } })])
            : store().transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: { i } } }, [step(lease, "subtask/a/done", { kind: "subtask", output: { i } })]),
        ),
      );
      expect(settled.map((r) => r.status)).toEqual(ids.map((id) => (id === stale ? "rejected" : "fulfilled")));
      for (const [i, lease] of leases.entries()) {
        const run = await store().get(lease.runId);
        const steps = await store().load(lease.runId);
        if (lease.runId === stale) {
          expect([run?.status, steps]).toEqual(["running", []]);
          continue;
        }
        expect(steps.map((s) => [s.key, s.output])).toEqual([["subtask/a/done", { i }]]);
        expect(run?.status).toBe(i % 2 === 0 ? "running" : "succeeded");
        if (i % 2 === 1) expect(run?.result).toMatchObject({ output: { i } });
      }
    });

    it("lets go of the lease while the run waits for approval", async () => {
      const lease = await leased();
      await store().transition(lease, { status: "waiting_approval" });
      expect((await store().get(lease.runId))?.status).toBe("waiting_approval");
      await expect(store().record(lease, step(lease, "late"))).rejects.toMatchObject({ code: "LEASE_LOST" });
    });
  });
}
