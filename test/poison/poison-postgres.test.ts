import { describe } from "vitest";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { describePoisonIsolation } from "./poison-isolation.js";

const available = await postgresAvailable("poison isolation on PostgreSQL");

describe.skipIf(!available)("PostgreSQL", () => {
  describePoisonIsolation("PostgreSQL", () => createTestDatabase());
});
