import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/store/index.js";
import { bearer, makeApi, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";

const TEN_YEARS_S = 10 * 365 * 86_400;

let t: TestApi;
let base: string;
beforeAll(async () => {
  t = await makeApi({}, SqliteStore.open(":memory:"));
  const { port } = await t.api.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => t.close());

async function list(jwt: string): Promise<{ status: number; body: { code?: string; detail?: string } }> {
  const res = await fetch(`${base}/v1/tasks`, { headers: bearer(jwt) });
  return { status: res.status, body: (await res.json()) as { code?: string; detail?: string } };
}

describe("a token's iat", () => {
  it("ten years in the future is refused with 401 saying so", async () => {
    const res = await list(await token({ iatIn: TEN_YEARS_S, expIn: TEN_YEARS_S + 300 }));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("UNAUTHENTICATED");
    expect(res.body.detail).toBe("the bearer token is missing or invalid: the token's iat is in the future (more than 30 s ahead of the server's clock)");
  });

  it("just past the 30 s tolerance is refused; within it, accepted", async () => {
    expect((await list(await token({ iatIn: 45 }))).status).toBe(401);
    expect((await list(await token({ iatIn: 20 }))).status).toBe(200);
  });

  it("missing is refused", async () => {
    const res = await list(await token({ iatIn: null }));
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/"iat"/);
  });
});
