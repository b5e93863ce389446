import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../../src/store/index.js";
import { until } from "../support/processes.js";
import { privatePostgresAvailable, startPrivatePostgres } from "../support/private-postgres.js";
import type { PrivatePostgres } from "../support/private-postgres.js";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

const available = privatePostgresAvailable("API on a read-only PostgreSQL");

/**
 * In a failover the proxy can send connections to the new primary a moment before its promotion
 * ends (the failover drill met this: Patroni's `/primary` answers 200 first); a write there fails
 * with SQLSTATE 25006. That is the database not taking writes yet, like a refused connection:
 * the client is told to retry (503 with Retry-After), not that the server broke (500).
 */
describe.runIf(available)("the API while PostgreSQL only takes reads", () => {
  let server: PrivatePostgres;
  let admin: pg.Client;
  let t: TestApi;
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    t = await makeApi({}, await PostgresStore.connect(server.url, { connectTimeoutMs: 2_000 }));
    auth = bearer(await token());
  }, 120_000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    server?.destroy();
  });

  /**
   * Every session, pooled ones included, becomes read-only (or writable again) on reload. The
   * server signals all sessions at once, so when this one sees the value the others have it too.
   */
  const readOnly = async (on: boolean): Promise<void> => {
    const value = on ? "on" : "off";
    await admin.query(`alter system set default_transaction_read_only = ${value}`);
    await admin.query("select pg_reload_conf()");
    await until(`default_transaction_read_only = ${value}`, async () => ((await admin.query<{ v: string }>("select current_setting('default_transaction_read_only') as v")).rows[0]?.v === value ? true : undefined), 10_000);
  };
  const submit = () => t.api.app.inject({ method: "POST", url: "/v1/tasks", headers: { ...auth, "content-type": "application/json" }, payload: JSON.stringify({ description: "report" }) });

  it("answers a submission 503 STORE_UNREACHABLE with Retry-After, then 202 once writes are taken again", async () => {
    expect((await submit()).statusCode).toBe(202);

    await readOnly(true);
    const refused = await submit();
    expect(refused.statusCode, refused.body).toBe(503);
    expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
    expect(refused.json()).toMatchObject({ code: "STORE_UNREACHABLE", status: 503 });

    await readOnly(false);
    expect((await submit()).statusCode).toBe(202);
  }, 60_000);
});
