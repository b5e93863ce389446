import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { scratchDir } from "../support/scratch.js";
import { zombiePayment } from "./zombie-payment.js";

const available = await postgresAvailable("zombie payment test on PostgreSQL");

describe.skipIf(!available)("a worker paused after a payment's intent (PostgreSQL)", () => {
  it("starts no payment when it wakes after its run was retried and paid elsewhere: exactly one payment", async () => {
    const dir = scratchDir("cs-agents-zombie-pay-");
    const database = await createTestDatabase();
    const store = await openStore(database.url, { migrate: true });
    try {
      const result = await zombiePayment(store, database.url, { calls: join(dir, "calls.log"), effects: join(dir, "effects.log") });
      expect(result.effects).toBe(1);
      expect(result.zombieCalls).toBe(0);
    } finally {
      await store.close();
      await database.drop();
    }
  }, 90_000);
});
