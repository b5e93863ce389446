import { afterEach, describe, expect, it } from "vitest";
import { Worker } from "../../src/engine/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { planOf, testEngine } from "./fixtures.js";

describe("Worker", () => {
  let store: SqliteStore | undefined;
  afterEach(async () => store?.close());

  it("moves a run from queued to succeeded with the claim as its only transition to running", async () => {
    store = SqliteStore.open(":memory:");
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }) });
    const worker = new Worker({ store, engine: t.engine, workerId: "w1" });
    await store.submit(t.task, { runId: "r1" });
    const end = await worker.runOne("r1");
    expect(end).toMatchObject({ runId: "r1", kind: "finished", outcome: { status: "succeeded" } });
    expect(await store.get("r1")).toMatchObject({ status: "succeeded", plan: planOf({ a: [], b: ["a"] }), result: { output: { id: "b" } } });
    expect((await store.load("r1")).map((s) => s.key)).toEqual(["plan", "subtask/a/call/0", "subtask/a/done", "subtask/b/call/0", "subtask/b/done"]);
  });

  it("keeps the newest 1,000 ended runs and counts them all, so a long-lived worker does not grow", async () => {
    store = SqliteStore.open(":memory:");
    const t = testEngine({ plan: planOf({ a: [] }) });
    const worker = new Worker({ store, engine: t.engine, workerId: "w1" });
    for (let i = 0; i < 1_003; i++) {
      const runId = `r${String(i).padStart(4, "0")}`;
      await store.submit(t.task, { runId });
      await worker.runOne(runId);
    }
    expect(worker.endedCount).toBe(1_003);
    expect(worker.ended).toHaveLength(1_000);
    expect(worker.ended[0]?.runId).toBe("r0003");
    expect(worker.ended.at(-1)?.runId).toBe("r1002");
  });
});
