import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { scratchDir } from "../support/scratch.js";
import { zombiePayment } from "./zombie-payment.js";

describe("a worker paused after a payment's intent (SQLite, a second process on the file)", () => {
  it("starts no payment when it wakes after its run was retried and paid elsewhere: exactly one payment", async () => {
    const dir = scratchDir("cs-agents-zombie-pay-");
    const db = join(dir, "runs.db");
    const store = await openStore(db, { migrate: true });
    try {
      const result = await zombiePayment(store, db, { calls: join(dir, "calls.log"), effects: join(dir, "effects.log") });
      expect(result.effects).toBe(1);
      expect(result.zombieCalls).toBe(0);
    } finally {
      await store.close();
    }
  }, 90_000);
});
