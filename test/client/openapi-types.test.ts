import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOpenApi } from "../../src/api/openapi.js";
import { makeApi } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
// @ts-expect-error: a plain ESM script shared with `npm run gen:client`, without type declarations.
import { clientTypesOf } from "../../scripts/client-types.mjs";

const generate = clientTypesOf as (document: unknown) => Promise<string>;
const CHECKED_IN = new URL("../../src/client/openapi.ts", import.meta.url);

let t: TestApi;
let base: string;
beforeAll(async () => {
  t = await makeApi();
  base = `http://127.0.0.1:${(await t.api.listen(0, "127.0.0.1")).port}`;
});
afterAll(async () => {
  await t.close();
});

describe("the typed client's generated types", () => {
  it("match what the served /openapi.json describes (after an API change: npm run gen:client)", async () => {
    const served = (await (await fetch(`${base}/openapi.json`)).json()) as { info: { version: string } };
    expect(await generate(served)).toBe(readFileSync(CHECKED_IN, "utf8"));
  });

  it("are generated from the same document the server serves, so the script needs no server", async () => {
    const served = (await (await fetch(`${base}/openapi.json`)).json()) as { info: { version: string } };
    expect(served).toEqual(buildOpenApi(served.info.version));
    expect(await generate(buildOpenApi("another version"))).toBe(readFileSync(CHECKED_IN, "utf8"));
  });

  it("fail on a changed API", async () => {
    const document = buildOpenApi("0") as { paths: Record<string, unknown> };
    const changed = { ...document, paths: { ...document.paths, "/v1/new": { get: { operationId: "brandNew", responses: { 200: { description: "OK" } } } } } };
    expect(await generate(changed)).not.toBe(readFileSync(CHECKED_IN, "utf8"));
  });
});
