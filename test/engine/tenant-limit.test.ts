import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/index.js";
import { Worker, type Engine, type ExecuteRequest, type RunOutcome } from "../../src/engine/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { scratchDir } from "../support/scratch.js";

const PLAN: Plan = { source: "test", language: "en", params: {}, subtasks: [] };

/** An engine whose runs wait until `finish()`; it notes which tenants' runs are executing. */
function gatedEngine() {
  const running: string[] = [];
  const peak = new Map<string, number>();
  const gates: (() => void)[] = [];
  const engine: Engine = {
    async execute(request: ExecuteRequest): Promise<RunOutcome> {
      const tenant = request.task.tenant ?? "default";
      running.push(tenant);
      peak.set(tenant, Math.max(peak.get(tenant) ?? 0, running.filter((t) => t === tenant).length));
      await new Promise<void>((resolve) => gates.push(resolve));
      running.splice(running.indexOf(tenant), 1);
      return { status: "succeeded", plan: PLAN, result: { subtasks: {}, artifacts: [], output: request.runId } };
    },
  };
  return { engine, running, peak, finishAll: () => gates.splice(0).forEach((open) => open()) };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what}: not within 5 s`);
}

describe("a worker with maxRunningPerTenant", () => {
  it("runs no more of one tenant's runs at once than the limit, and gives the other slots to another tenant's runs", async () => {
    const store = SqliteStore.open(join(scratchDir("cs-agents-tenant-limit-"), "db.sqlite"));
    const gated = gatedEngine();
    const worker = new Worker({ store, engine: gated.engine, workerId: "w1", concurrency: 4, pollMs: 10, maxRunningPerTenant: 2 });
    try {
      for (let i = 0; i < 6; i++) await store.submit({ description: `a${i}`, tenant: "a" }, { runId: `a-${i}` });
      await store.submit({ description: "b0", tenant: "b" }, { runId: "b-0" });
      worker.start();
      await until(() => gated.running.length === 3, "three runs executing");
      // Four slots: two for a (its limit), one for b; the fourth stays free though a has runs queued.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect([...gated.running].sort()).toEqual(["a", "a", "b"]);
      for (let round = 0; round < 4; round++) {
        gated.finishAll();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await until(async () => (await store.list({ status: ["succeeded"] })).length === 7, "all seven runs finished");
      expect(gated.peak.get("a")).toBe(2);
    } finally {
      gated.finishAll();
      await worker.stop();
      await store.close();
    }
  });
});
