import { afterAll, beforeAll, describe } from "vitest";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { describeForkCrash } from "./fork-crash.js";

const available = await postgresAvailable("forks under kill -9 on PostgreSQL");

describe.skipIf(!available)("forks under kill -9 on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  describeForkCrash(() => Promise.resolve(database?.url ?? ""));
});
