import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { delivererFromConfig } from "../../src/delivery/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { startReceiver } from "./receiver.js";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.reverse()) await close();
  cleanup = [];
});

describe("the deliverer serve and worker build from the settings", () => {
  it("signs with the tenant's secret from CS_AGENTS_WEBHOOK_SECRETS and audits the delivery", async () => {
    const receiver = await startReceiver("whsec_acme_from_settings");
    cleanup.push(receiver.close);
    const store = SqliteStore.open(":memory:");
    cleanup.push(() => store.close());
    const config = loadConfig({
      CS_AGENTS_WEBHOOK_SECRET: "whsec_default_secret_0000",
      CS_AGENTS_WEBHOOK_SECRETS: '{"acme":"whsec_acme_from_settings"}',
      CS_AGENTS_WEBHOOK_ALLOW_HTTP: "true",
      CS_AGENTS_WEBHOOK_ALLOW_PRIVATE: "true",
    });
    await store.submit({ description: "生成季度财务报告", tenant: "acme", callbackUrl: receiver.url }, { runId: "run-1" });
    const [lease] = await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
    if (!lease) throw new Error("nothing claimed");
    await store.transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: 1 } });
    await delivererFromConfig(config, store).deliverDue();
    expect(receiver.received[0]?.verified).toBe(true);
    const audited = (await store.listAudit()).filter((entry) => entry.action === "webhook.delivered");
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor: "system", tenant: "acme", target: "run-1", details: { deliveryId: "run-1:final", attempts: 1 } });
  });

  it.each([
    [{ CS_AGENTS_WEBHOOK_SECRET: "short" }, /CS_AGENTS_WEBHOOK_SECRET: must be at least 16 characters/],
    [{ CS_AGENTS_WEBHOOK_SECRETS: "acme=whsec" }, /CS_AGENTS_WEBHOOK_SECRETS: must be a JSON object of tenant to secret/],
    [{ CS_AGENTS_WEBHOOK_SECRETS: '{"acme":"short"}' }, /CS_AGENTS_WEBHOOK_SECRETS\.acme: each secret must be at least 16 characters/],
    [{ CS_AGENTS_WEBHOOK_ALLOW_PRIVATE: "yes" }, /CS_AGENTS_WEBHOOK_ALLOW_PRIVATE: must be "true" or "false"/],
    [{ CS_AGENTS_WEBHOOK_MAX_ATTEMPTS: "0" }, /CS_AGENTS_WEBHOOK_MAX_ATTEMPTS: must be at least 1/],
  ])("refuses bad settings by name: %j", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
