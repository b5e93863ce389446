import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import { bearer, makeApi, token } from "./harness.js";
import type { TestApi } from "./harness.js";

let t: TestApi;
let auth: Record<string, string>;
beforeEach(async () => {
  t = await makeApi();
  auth = bearer(await token());
});
afterEach(async () => {
  await t.close();
});

const submit = (body: unknown) =>
  t.api.app.inject({ method: "POST", url: "/v1/tasks", headers: { ...auth, "content-type": "application/json" }, payload: JSON.stringify(body) });

describe("task priority", () => {
  it("keeps the priority given and shows it on the run and in the list; 5 when none is given", async () => {
    const high = schemas.RunDetailSchema.parse((await submit({ description: "urgent", priority: 9 })).json());
    const plain = schemas.RunDetailSchema.parse((await submit({ description: "whenever" })).json());
    expect([high.priority, plain.priority]).toEqual([9, 5]);
    const shown = schemas.RunDetailSchema.parse((await t.api.app.inject({ method: "GET", url: `/v1/tasks/${high.id}`, headers: auth })).json());
    expect(shown.priority).toBe(9);
    const list = schemas.RunListSchema.parse((await t.api.app.inject({ method: "GET", url: "/v1/tasks", headers: auth })).json());
    expect(Object.fromEntries(list.items.map((r) => [r.id, r.priority]))).toEqual({ [high.id]: 9, [plain.id]: 5 });
    // The worker takes the higher priority first.
    const [lease] = await t.store.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
    expect(lease?.runId).toBe(high.id);
  });

  it.each([10, -1, 4.5, "9", null])("refuses priority %j with 400, naming the field and the range, and stores nothing", async (priority) => {
    const res = await submit({ description: "x", priority });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, code: "INVALID_INPUT" });
    expect(res.json().detail).toMatch(/priority/);
    expect(res.json().detail).toMatch(/0 to 9/);
    expect(await t.store.list()).toEqual([]);
  });
});
