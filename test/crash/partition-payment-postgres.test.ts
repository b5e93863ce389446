import { describe, expect, it } from "vitest";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { partitionedPayment } from "./partition-payment.js";
import { PAY_STEP, PAYMENT } from "./payment-engine.js";

const available = await postgresAvailable("partition payment test on PostgreSQL");

describe.skipIf(!available)("a worker cut off from PostgreSQL right after a payment's intent (TCP proxy)", () => {
  it("starts no payment when its replies arrive after the run was retried and paid elsewhere: exactly one payment", async () => {
    const database = await createTestDatabase();
    try {
      const result = await partitionedPayment(database.url, { deadlineCheck: true });
      expect(result.status).toBe("succeeded");
      expect(result.heldBytes).toBeGreaterThan(0);
      expect(result.zombieEnd).toMatchObject({ kind: "lease_lost" });
      expect(result.zombieCalls).toEqual([]);
      const [payment, ...more] = result.ledger.payments();
      expect(more).toEqual([]);
      expect(payment?.epoch).toBeGreaterThan(result.zombieEpoch);
      // Had the zombie called anyway, the ledger would have turned it away by its epoch.
      expect(() => result.ledger.pay({ epoch: result.zombieEpoch, key: payment?.key ?? "" }, PAYMENT)).toThrow(expect.objectContaining({ code: "STALE_EPOCH" }));
      console.info(`partition → ambiguous: ${Math.round(result.ambiguousMs)} ms`);
    } finally {
      await database.drop();
    }
  }, 60_000);

  it("without the lease deadline the zombie does pay late, and only the ledger's epoch check stops it", async () => {
    const database = await createTestDatabase();
    try {
      const result = await partitionedPayment(database.url, { deadlineCheck: false });
      expect(result.status).toBe("succeeded");
      expect(result.zombieEnd).toMatchObject({ kind: "lease_lost" });
      expect(result.zombieCalls).toEqual([{ epoch: result.zombieEpoch, key: expect.stringMatching(new RegExp(`/${PAY_STEP}$`)) as unknown }]);
      expect(result.ledger.calls.map((c) => c.outcome)).toEqual(["paid", "refused"]);
      expect(result.ledger.payments()).toHaveLength(1);
    } finally {
      await database.drop();
    }
  }, 60_000);
});
