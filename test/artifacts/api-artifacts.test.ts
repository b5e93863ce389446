import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import { FilesystemArtifactStore, sha256Hex, withArtifactStore } from "../../src/artifacts/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { bearer, makeApi, seedSucceeded, testRunId, token, type TestApi } from "../api/harness.js";
import { scratchDir } from "../support/scratch.js";

let t: TestApi | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("the API's artifact routes on a store whose artifacts are in the artifact store", () => {
  it("shows, lists and downloads them as before, byte for byte", async () => {
    const blobs = new FilesystemArtifactStore(join(scratchDir(), "blobs"));
    t = await makeApi({}, withArtifactStore(SqliteStore.open(":memory:"), blobs));
    const auth = bearer(await token({ tenant: "acme", scope: "tasks:read tasks:write" }));
    const id = testRunId(7);
    const markdown = `# 季度报告\n\n${"| 收入 | 1,234,567 |\n".repeat(200)}`;
    const workbook = Buffer.from(Array.from({ length: 5_000 }, (_, i) => (i * 13) % 256));
    const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    await seedSucceeded(t.store, id, "acme", [
      { name: "report.md", mediaType: "text/markdown", content: markdown },
      { name: "report.xlsx", mediaType: xlsx, content: workbook.toString("base64"), encoding: "base64" },
    ]);
    expect(await t.store.storageBytes(id)).toBeLessThan(2_000);
    expect(await blobs.has(sha256Hex(workbook))).toBe(true);

    const run = schemas.RunDetailSchema.parse((await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth })).json());
    expect(run.artifacts.map((a) => [a.name, a.bytes])).toEqual([
      ["report.md", Buffer.byteLength(markdown)],
      ["report.xlsx", workbook.length],
    ]);
    const md = await t.api.app.inject({ method: "GET", url: run.artifacts[0]?.href ?? "", headers: auth });
    expect(md.statusCode).toBe(200);
    expect(md.body).toBe(markdown);
    const file = await t.api.app.inject({ method: "GET", url: run.artifacts[1]?.href ?? "", headers: auth });
    expect(sha256Hex(file.rawPayload)).toBe(sha256Hex(workbook));
    const list = await t.api.app.inject({ method: "GET", url: "/v1/tasks?status=succeeded", headers: auth });
    expect(list.json().items.map((r: { id: string }) => r.id)).toEqual([id]);
  });
});
