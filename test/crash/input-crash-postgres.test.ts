import { afterAll, beforeAll, describe } from "vitest";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { describeInputCrash } from "./input-crash.js";

const available = await postgresAvailable("human input under kill -9 on PostgreSQL");

describe.skipIf(!available)("human input under kill -9 on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  describeInputCrash(() => Promise.resolve(database?.url ?? ""));
});
