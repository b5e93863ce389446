import { generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/store/index.js";
import { verifyAuditChain } from "../../src/audit/index.js";
import { bearer, makeApi, token } from "./harness.js";

const attacker = await generateKeyPair("RS256");

describe("requests without a valid token", () => {
  it("are rate-limited by client address before authentication: no token, then forged tokens", async () => {
    const t = await makeApi({ rateLimit: { max: 10, windowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await t.api.app.inject({ method: "GET", url: "/v1/tasks" })).statusCode);
      expect(statuses.filter((s) => s === 401)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20);
      const forged = await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: bearer(await token({ key: attacker.privateKey })) });
      expect(forged.statusCode).toBe(429);
      expect(forged.json()).toMatchObject({ code: "RATE_LIMITED" });
      expect(forged.headers["retry-after"]).toBe("60");
      // Another address is not affected.
      const other = await t.api.app.inject({ method: "GET", url: "/v1/tasks", remoteAddress: "10.0.0.7" });
      expect(other.statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });

  it("add a bounded number of audit rows: 1,000 forged tokens are two hash-chained rows with a count", async () => {
    const store = SqliteStore.open(":memory:");
    const t = await makeApi({}, store);
    const forged = bearer(await token({ key: attacker.privateKey }));
    for (let i = 0; i < 1_000; i++) {
      const res = await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: forged });
      expect(res.statusCode).toBe(401);
    }
    expect((await store.listAudit()).length).toBe(1);
    await t.api.close();
    const rows = await store.listAudit();
    expect(rows.map((r) => [r.action, r.details.count])).toEqual([
      ["auth.failed", 1],
      ["auth.failed", 999],
    ]);
    expect(rows[1]?.details).toMatchObject({ ip: "127.0.0.1", reasons: ["the signature does not verify"] });
    expect((await verifyAuditChain(rows)).ok).toBe(true);
    await store.close();
  }, 60_000);
});
