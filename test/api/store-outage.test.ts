import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../../src/store/index.js";
import { privatePostgresAvailable, startPrivatePostgres } from "../support/private-postgres.js";
import type { PrivatePostgres } from "../support/private-postgres.js";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

const available = privatePostgresAvailable("API store outage");

interface Line {
  readonly level: "info" | "warn" | "error";
  readonly msg: string;
}

describe.runIf(available)("the API while PostgreSQL is down", () => {
  let pg: PrivatePostgres;
  let t: TestApi;
  let auth: Record<string, string>;
  const lines: Line[] = [];
  const log = {
    info: (_fields: object, msg: string) => void lines.push({ level: "info", msg }),
    warn: (_fields: object, msg: string) => void lines.push({ level: "warn", msg }),
    error: (_fields: object, msg: string) => void lines.push({ level: "error", msg }),
  };

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    const store = await PostgresStore.connect(pg.url, { connectTimeoutMs: 2_000 });
    t = await makeApi({}, store, { log });
    auth = bearer(await token());
  }, 120_000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    pg?.destroy();
  });

  const submit = () => t.api.app.inject({ method: "POST", url: "/v1/tasks", headers: { ...auth, "content-type": "application/json" }, payload: JSON.stringify({ description: "report" }) });

  it("answers 503 STORE_UNREACHABLE with Retry-After on every store operation, logs the outage once, and its end once", async () => {
    const created = await submit();
    expect(created.statusCode).toBe(202);
    const id = created.json<{ id: string }>().id;

    pg.stop();
    const answers = [
      await submit(),
      await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: auth }),
      await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth }),
      await t.api.app.inject({ method: "POST", url: `/v1/tasks/${id}/cancel`, headers: auth }),
      await submit(),
    ];
    for (const res of answers) {
      expect(res.statusCode, res.body).toBe(503);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.headers["retry-after"]).toMatch(/^\d+$/);
      expect(res.json()).toMatchObject({ code: "STORE_UNREACHABLE", status: 503 });
      expect(res.body).not.toContain("127.0.0.1");
    }
    expect(lines.filter((l) => /unreachable/.test(l.msg))).toHaveLength(1);
    expect(lines.filter((l) => l.level === "error" && /unreachable/.test(l.msg))).toHaveLength(1);

    pg.start();
    let recovered = 0;
    for (let i = 0; i < 3; i++) {
      const res = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth });
      expect(res.statusCode).toBe(200);
      recovered++;
    }
    expect(recovered).toBe(3);
    expect(lines.filter((l) => /recovered/.test(l.msg))).toHaveLength(1);
    expect(lines.filter((l) => /unreachable/.test(l.msg))).toHaveLength(1);
  }, 120_000);
});
