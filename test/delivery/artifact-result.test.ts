import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FilesystemArtifactStore, withArtifactStore } from "../../src/artifacts/index.js";
import { WebhookDeliverer } from "../../src/delivery/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { startReceiver } from "./receiver.js";

const SECRET = "whsec_artifacts_0123456789";
const root = mkdtempSync(join(tmpdir(), "cs-agents-webhook-artifacts-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a result kept in the artifact store", () => {
  it("is sent whole: the deliverer reads the run through the store, not the reference its row holds", async () => {
    const receiver = await startReceiver(SECRET);
    const store = withArtifactStore(SqliteStore.open(join(root, "cs-agents.db")), new FilesystemArtifactStore(join(root, "artifacts")));
    try {
      const output = { summary: "利润表、资产负债表、现金流量表".repeat(100) };
      await store.submit({ description: "生成季度财务报告", tenant: "acme", callbackUrl: receiver.url }, { runId: "run-1" });
      const [lease] = await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      if (!lease) throw new Error("nothing claimed");
      await store.transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output } });
      const delivery = await store.webhookDeliveries().deliveryOfRun("run-1");
      // The row's payload holds a reference, not the output.
      expect(delivery?.payload).toContain("cs-agents/blob");
      const deliverer = new WebhookDeliverer(store.webhookDeliveries(), {
        policy: { allowHttp: true, allowPrivate: true },
        secrets: { byTenant: {}, fallback: SECRET },
        maxAttempts: 3,
        timeoutMs: 5_000,
        readRun: (runId) => store.get(runId),
      });
      await deliverer.deliverDue();
      expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({ status: "succeeded", result: { output } });
      expect(receiver.received[0]?.verified).toBe(true);
    } finally {
      await store.close();
      await receiver.close();
    }
  });
});
