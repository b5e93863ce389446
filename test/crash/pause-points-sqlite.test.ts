import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { scratchDir } from "../support/scratch.js";
import { checkPausePoints } from "./pause-points.js";

describe("a worker paused at any point of a payment run (model, SQLite file)", () => {
  it("never pays twice, pays exactly once for a run that succeeded, and starts no call past its lease deadline", async () => {
    const db = join(scratchDir("cs-agents-pause-points-"), "runs.db");
    const a = await openStore(db, { migrate: true });
    const b = await openStore(db);
    try {
      await checkPausePoints({ a, b }, { numRuns: 100, deadlineCheck: true });
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);

  it("finds a schedule where the paused worker calls past its deadline when the deadline check is off", async () => {
    const db = join(scratchDir("cs-agents-pause-points-"), "runs.db");
    const a = await openStore(db, { migrate: true });
    const b = await openStore(db);
    try {
      await expect(checkPausePoints({ a, b }, { numRuns: 60, deadlineCheck: false })).rejects.toThrow(/past its deadline/);
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
