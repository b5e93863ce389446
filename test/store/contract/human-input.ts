import { describe, expect, it } from "vitest";
import type { AuditedRunStore, AuditStore, Lease, Store } from "../../../src/store/index.js";
import { claimOne, runId, submitRuns, useFreshStore } from "./context.js";
import type { MakeStore } from "./context.js";

const QUESTION = "subtask/seat/input/0";

/** Runs waiting for a person's answer (`ctx.ask`): no lease while waiting, queued again by an answer, or claimed when a default is due. */
export function describeHumanInput(makeStore: MakeStore): void {
  const store = useFreshStore(makeStore);
  const claimAll = async (workerId: string) => (await store().claim({ workerId, leaseMs: 60_000, limit: 10, maxCrashes: 3 })).map((l) => l.runId);
  const service = (): Store & AuditedRunStore & AuditStore => {
    const s = store();
    if (!("answerAudited" in s)) throw new Error("this store cannot take answers");
    return s as Store & AuditedRunStore & AuditStore;
  };
  const draft = { action: "input.answered", actor: "alice", tenant: "" };

  /** run-001 with an open question, waiting for input (with a default due at `wakeAt`, if given). */
  async function waiting(wakeAt: Date | null = null): Promise<Lease> {
    await submitRuns(store(), 1);
    const lease = await claimOne(store(), "w1");
    await store().record(lease, { runId: runId(1), key: QUESTION, kind: "input", status: "started", input: { tool: "book", question: "Which seat?", schema: { type: "object" } }, startedAt: new Date() });
    await store().sleep(lease, wakeAt, "waiting_input");
    return lease;
  }

  describe("waiting for input", () => {
    it("gives up the lease, and nobody claims the run until it has an answer", async () => {
      const lease = await waiting();
      expect((await store().get(runId(1)))?.status).toBe("waiting_input");
      expect(await claimAll("w2")).toEqual([]);
      expect(await store().heartbeat(lease, 60_000)).toBe(false);
      expect(await store().list({ status: ["waiting_input"] })).toMatchObject([{ id: runId(1) }]);
    });

    it("is claimed when its default answer is due, with a new epoch", async () => {
      await waiting(new Date(Date.now() - 1));
      const [taken] = await store().claim({ workerId: "w2", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      expect(taken).toMatchObject({ runId: runId(1), workerId: "w2", epoch: 2 });
      expect((await store().get(runId(1)))?.status).toBe("running");
    });

    it("an answer settles the question, queues the run again with its audit entry, and a worker claims it", async () => {
      await waiting(new Date(Date.now() + 60_000));
      await service().answerAudited(runId(1), QUESTION, { seat: "12C" }, draft);
      expect((await store().load(runId(1))).find((s) => s.key === QUESTION)).toMatchObject({ status: "succeeded", output: { answer: { seat: "12C" }, by: "person" } });
      expect((await store().get(runId(1)))?.status).toBe("queued");
      expect((await service().listAudit()).map((e) => [e.action, e.target])).toEqual([["input.answered", runId(1)]]);
      expect(await claimAll("w2")).toEqual([runId(1)]);
    });

    it("refuses a second answer, an answer to a step that is no question, or to a run not waiting, changing nothing", async () => {
      await waiting();
      await service().answerAudited(runId(1), QUESTION, { seat: "1A" }, draft);
      await expect(service().answerAudited(runId(1), QUESTION, { seat: "2B" }, draft)).rejects.toMatchObject({ code: "INPUT_NOT_WAITING" });
      await expect(service().answerAudited(runId(1), "subtask/seat/input/7", {}, draft)).rejects.toMatchObject({ code: "INPUT_NOT_WAITING" });
      await expect(service().answerAudited("run-404", QUESTION, {}, draft)).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect((await store().load(runId(1))).find((s) => s.key === QUESTION)).toMatchObject({ output: { answer: { seat: "1A" } } });
      expect((await service().listAudit()).length).toBe(1);
    });

    it("refuses an answer while the run is not waiting_input (a worker holds it)", async () => {
      await submitRuns(store(), 1);
      const lease = await claimOne(store(), "w1");
      await store().record(lease, { runId: runId(1), key: QUESTION, kind: "input", status: "started", input: { tool: "book", question: "Which seat?", schema: {} }, startedAt: new Date() });
      await expect(service().answerAudited(runId(1), QUESTION, {}, draft)).rejects.toMatchObject({ code: "INPUT_NOT_WAITING" });
      expect((await store().get(runId(1)))?.status).toBe("running");
      expect((await store().load(runId(1))).find((s) => s.key === QUESTION)?.status).toBe("started");
    });
  });
}
