import { afterAll, beforeAll, describe, it } from "vitest";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { crashMidDelivery } from "./crash-drill.js";

const available = await postgresAvailable("webhook crash drill on PostgreSQL");

describe.skipIf(!available)("a deliverer killed with SIGKILL mid-delivery (PostgreSQL)", () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("loses nothing: another deliverer on a new connection sends the same Webhook-Id again, and it is delivered", async () => {
    if (!database) throw new Error("no database");
    await crashMidDelivery(database.url);
  });
});
