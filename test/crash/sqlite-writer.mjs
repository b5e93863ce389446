// Writes journal steps to a SQLite store as fast as it can, printing "ack <n>" after each
// step's write has returned (committed). The durability test kills it with SIGKILL at random;
// should nobody do so (the test died), it stops by itself after a few seconds.
import { openStore } from "../../dist/store/index.js";

const [path, runId] = process.argv.slice(2);
const store = await openStore(path);
await store.submit({ description: "durability" }, { runId });
const [lease] = await store.claim({ workerId: `writer-${process.pid}`, leaseMs: 60_000, limit: 1, maxCrashes: 1000, runId });
const payload = "x".repeat(2_000);
const stopAt = Date.now() + 5_000;
for (let n = 0; Date.now() < stopAt; n++) {
  await store.record(lease, { runId, key: `step/${n}`, kind: "tool_call", status: "succeeded", input: { n }, output: { n, payload }, attempts: 1, startedAt: new Date(), finishedAt: new Date() });
  process.stdout.write(`ack ${n}\n`);
}
await store.close();
process.exit(3);
