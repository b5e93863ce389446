import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookDeliverer } from "../../src/delivery/index.js";
import { PostgresStore } from "../../src/store/index.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { startReceiver } from "./receiver.js";

const SECRET = "whsec_race_0123456789abcdef";
const RUNS = 40;
const available = await postgresAvailable("webhook deliverers racing on PostgreSQL");

describe.skipIf(!available)("two deliverers racing on one PostgreSQL outbox", () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("send each attempt of each delivery once: a 500 then a 200 per id gives exactly two requests per id", async () => {
    if (!database) throw new Error("no database");
    // Every id fails its first attempt and succeeds its second.
    const receiver = await startReceiver(SECRET, (_id, seen) => (seen === 1 ? 500 : 200));
    const a = await PostgresStore.connect(database.url);
    const b = await PostgresStore.connect(database.url);
    try {
      for (let n = 0; n < RUNS; n++) {
        const runId = `run-${String(n).padStart(3, "0")}`;
        await a.submit({ description: `task ${n}`, tenant: "acme", callbackUrl: receiver.url }, { runId });
      }
      for (const lease of await a.claim({ workerId: "w", leaseMs: 60_000, limit: RUNS, maxCrashes: 3 })) {
        await a.transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: lease.runId } });
      }
      const options = { policy: { allowHttp: true, allowPrivate: true }, secrets: { byTenant: {}, fallback: SECRET }, maxAttempts: 5, timeoutMs: 5_000, backoffMs: 1, maxBackoffMs: 1, batch: 4 };
      const deliverers = [new WebhookDeliverer(a.webhookDeliveries(), options), new WebhookDeliverer(b.webhookDeliveries(), options)];
      const race = async (d: WebhookDeliverer) => {
        for (let idle = 0; idle < 20; ) {
          if ((await d.deliverDue()) === 0) {
            idle += 1;
            await new Promise((resolve) => setTimeout(resolve, 10));
          } else idle = 0;
        }
      };
      await Promise.all(deliverers.map(race));

      const perId = new Map<string, number>();
      for (const r of receiver.received) perId.set(r.id, (perId.get(r.id) ?? 0) + 1);
      expect(perId.size).toBe(RUNS);
      expect([...perId.values()].every((count) => count === 2)).toBe(true);
      expect(receiver.received.every((r) => r.verified)).toBe(true);
      for (let n = 0; n < RUNS; n++) {
        expect(await a.webhookDeliveries().deliveryOfRun(`run-${String(n).padStart(3, "0")}`)).toMatchObject({ status: "delivered", attempts: 2 });
      }
    } finally {
      await receiver.close();
      await a.close();
      await b.close();
    }
  });
});
