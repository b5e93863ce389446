// 5. End to end: the shipped quarterly-report task ("生成季度财务报告") through createRuntime()
// and a Worker on SQLite (submit, claim, plan, ledger, metrics, charts, report), runs/s.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntime, newRunId, Worker } from "../../dist/index.js";
import { openToolCache } from "../../dist/runtime/index.js";
import { SqliteStore } from "../../dist/store/index.js";
import { sequential, throughput } from "../measure.mjs";

const TASK = { description: "生成季度财务报告" };

export async function run({ quick, log }) {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-bench-e2e-"));
  const store = SqliteStore.open(join(dir, "e2e.db"));
  const rows = [];
  const timing = quick ? { repMs: 1_000, reps: 3, warmupMs: 1_000 } : { repMs: 2_500, reps: 3, warmupMs: 3_000 };
  try {
    const variants = [
      { key: "e2e-plain", label: "createRuntime() (no tool cache)", cache: undefined },
      { key: "e2e-l1", label: "with the L1 tool cache (the CLI's default)", cache: await openToolCache({ maxEntries: 10_000, maxMegabytes: 64, redisUrl: "", onError: () => undefined }) },
    ];
    for (const variant of variants) {
      const runtime = createRuntime(variant.cache ? { cache: variant.cache } : {});
      const worker = new Worker({ store, engine: runtime.engine });
      let bytes = 0;
      const once = async () => {
        const runId = newRunId();
        await store.submit(TASK, { runId });
        const end = await worker.runOne(runId);
        if (end?.kind !== "finished" || end.outcome.status !== "succeeded") throw new Error(`quarterly report ended as ${end?.kind} ${end?.outcome?.status}`);
        bytes = await store.storageBytes(runId);
      };
      const measured = await throughput(sequential(once), timing);
      await runtime.executor.close();
      rows.push({ section: "e2e", key: variant.key, subject: variant.label, runsPerSecond: measured.perSecond, msPerRun: 1000 / measured.perSecond, journalBytes: bytes, n: measured.n, reps: measured.reps });
      log(`${variant.label.padEnd(44)} ${measured.perSecond.toFixed(2)} runs/s (${(1000 / measured.perSecond).toFixed(0)} ms/run, ${(bytes / 1024).toFixed(0)} KiB journal)`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes: ["end to end: sequential, submit + Worker.runOne on one SQLite file (WAL, synchronous=NORMAL)"] };
}
