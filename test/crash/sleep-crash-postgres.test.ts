import { afterAll, beforeAll, describe } from "vitest";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { describeSleepCrash } from "./sleep-crash.js";

const available = await postgresAvailable("durable timers under kill -9 on PostgreSQL");

describe.skipIf(!available)("durable timers under kill -9 on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  describeSleepCrash(() => Promise.resolve(database?.url ?? ""));
});
