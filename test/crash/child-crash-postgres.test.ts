import { afterAll, beforeAll, describe } from "vitest";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { describeChildCrash } from "./child-crash.js";

const available = await postgresAvailable("child runs under kill -9 on PostgreSQL");

describe.skipIf(!available)("child runs under kill -9 on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  describeChildCrash(() => Promise.resolve(database?.url ?? ""));
});
