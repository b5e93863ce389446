import { afterAll, beforeAll, describe } from "vitest";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { describeCrashSweep } from "./crash-sweep.js";

const available = await postgresAvailable("crash-point sweep on PostgreSQL");

describe.skipIf(!available)("crash-point sweep on PostgreSQL (kill -9 at every step boundary)", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  describeCrashSweep(() => Promise.resolve(database?.url ?? ""));
});
