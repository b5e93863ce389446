import { describe, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { checkPausePoints } from "./pause-points.js";

const available = await postgresAvailable("pause-point model on PostgreSQL");

describe.skipIf(!available)("a worker paused at any point of a payment run (model, PostgreSQL)", () => {
  it("never pays twice, pays exactly once for a run that succeeded, and starts no call past its lease deadline", async () => {
    const database = await createTestDatabase();
    const a = await openStore(database.url, { migrate: true });
    const b = await openStore(database.url, { migrate: false });
    try {
      await checkPausePoints({ a, b }, { numRuns: 60, deadlineCheck: true });
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  }, 60_000);
});
